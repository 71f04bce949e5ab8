using System;

namespace Volt;

/// <summary>
/// Marks the method that computes the training loss for one batch (Lightning's <c>training_step</c>).
/// Signature: <c>Tensor Step(TBatch batch)</c> or <c>Tensor Step(TBatch batch, int batchIndex)</c>.
/// The generated fit loop calls it, runs backward on the returned loss and steps the optimizer.
/// With <see cref="AutomaticOptimization"/> = false the step gets the optimizers and does that itself:
/// <c>void Step(TBatch batch, TOptimizers optimizers)</c> (optionally with <c>int batchIndex</c> before
/// the optimizers), calling the generated <c>ManualBackward(loss)</c> and <c>optimizer.step()</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TrainingStepAttribute : Attribute
{
    /// <summary>
    /// True (the default): the loop runs backward and the optimizer step. False: manual optimization
    /// (Lightning's <c>automatic_optimization = False</c>), needed for several optimizers such as a GAN's.
    /// </summary>
    public bool AutomaticOptimization { get; set; } = true;
}

/// <summary>
/// Marks the method that evaluates one validation batch (Lightning's <c>validation_step</c>).
/// Signature: <c>void Step(TBatch batch)</c> or <c>void Step(TBatch batch, int batchIndex)</c>.
/// It runs in eval mode under <c>no_grad</c>; values passed to <c>Log</c> are averaged over the epoch.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ValidationStepAttribute : Attribute;

/// <summary>
/// Marks the method that evaluates one test batch (Lightning's <c>test_step</c>).
/// Same signature and semantics as <see cref="ValidationStepAttribute"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class TestStepAttribute : Attribute;

/// <summary>
/// Marks the method that predicts one batch (Lightning's <c>predict_step</c>).
/// Signature: <c>TOutput Step(TBatch batch)</c> or <c>TOutput Step(TBatch batch, int batchIndex)</c>.
/// Tensors in the returned value are detached from the step's dispose scope and belong to the caller.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PredictStepAttribute : Attribute;

/// <summary>
/// Marks the parameterless method that creates the optimizer (Lightning's <c>configure_optimizers</c>).
/// Signature: <c>optim.Optimizer Configure()</c> (any type derived from <c>torch.optim.Optimizer</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class ConfigureOptimizersAttribute : Attribute;

/// <summary>
/// Marks a hyperparameter. On a property: an extra hyperparameter saved with the primary-constructor
/// parameters (the property must have a setter or init accessor so the module can be rebuilt).
/// On a primary-constructor parameter: narrows the saved set to the marked parameters only.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class HyperparameterAttribute : Attribute;

/// <summary>
/// Names the metric that decides which model is best, and whether lower or higher is better.
/// It is the default monitor of checkpointing and early stopping.
/// </summary>
/// <param name="metric">The logged metric name, for example <c>"val_acc"</c>.</param>
/// <param name="mode">Whether lower (<see cref="MonitorMode.Min"/>) or higher (<see cref="MonitorMode.Max"/>) is better.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class MonitorAttribute(string metric, MonitorMode mode = MonitorMode.Min) : Attribute
{
    /// <summary>The monitored metric name.</summary>
    public string Metric { get; } = metric;

    /// <summary>Whether lower or higher values are better.</summary>
    public MonitorMode Mode { get; } = mode;
}

/// <summary>Whether lower or higher values of a monitored metric are better.</summary>
public enum MonitorMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,

    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}
