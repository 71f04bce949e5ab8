using System.ComponentModel;
using TorchSharp;
using Volt.Loops;

namespace Volt;

/// <summary>
/// What every generated module exposes to the <see cref="Trainer"/>. The source generator implements
/// it on each partial class that declares step methods; user code does not implement it by hand.
/// </summary>
public interface IVoltModule
{
    /// <summary>The TorchSharp module itself.</summary>
    torch.nn.Module Module { get; }

    /// <summary>The per-module runtime state the trainer attaches (device, current metric collector).</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    ModuleState State { get; }

    /// <summary>The monitored metric from <see cref="MonitorAttribute"/>, or null when the class has none.</summary>
    MonitorInfo? Monitor { get; }

    /// <summary>Writes the module's hyperparameters as <c>hparams.json</c> into <paramref name="directory"/>.</summary>
    void SaveHyperparameters(string directory);

    /// <summary>The module's hyperparameters now (what checkpoints store).</summary>
    IHyperparameters CurrentHyperparameters { get; }
}

/// <summary>A module with a <see cref="TrainingStepAttribute"/> step and no validation step.</summary>
/// <typeparam name="TTrainBatch">The training batch type.</typeparam>
public interface IFitModule<TTrainBatch> : IVoltModule
{
    /// <summary>Runs the generated fit loop. Called by <see cref="Trainer.Fit{TTrainBatch}(IFitModule{TTrainBatch}, Data.IDataLoader{TTrainBatch})"/>.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    void RunFit(FitLoop<TTrainBatch> fit);
}

/// <summary>A module with training and validation steps.</summary>
/// <typeparam name="TTrainBatch">The training batch type.</typeparam>
/// <typeparam name="TValidationBatch">The validation batch type.</typeparam>
public interface IFitModule<TTrainBatch, TValidationBatch> : IVoltModule
{
    /// <summary>Runs the generated fit loop, validating with <paramref name="validation"/> when it is given.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    void RunFit(FitLoop<TTrainBatch> fit, EvaluationLoop<TValidationBatch>? validation);
}

/// <summary>A module with a <see cref="ValidationStepAttribute"/> step.</summary>
/// <typeparam name="TBatch">The validation batch type.</typeparam>
public interface IValidateModule<TBatch> : IVoltModule
{
    /// <summary>Runs one generated validation epoch.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    void RunValidate(EvaluationLoop<TBatch> validation);
}

/// <summary>A module with a <see cref="TestStepAttribute"/> step.</summary>
/// <typeparam name="TBatch">The test batch type.</typeparam>
public interface ITestModule<TBatch> : IVoltModule
{
    /// <summary>Runs one generated test epoch.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    void RunTest(EvaluationLoop<TBatch> test);
}

/// <summary>A module with a <see cref="PredictStepAttribute"/> step.</summary>
/// <typeparam name="TBatch">The input batch type.</typeparam>
/// <typeparam name="TOutput">The step's return type.</typeparam>
public interface IPredictModule<TBatch, TOutput> : IVoltModule
{
    /// <summary>Runs the generated predict loop.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    void RunPredict(PredictLoop<TBatch, TOutput> predict);
}

/// <summary>The monitored metric of a module: its name and which direction is better.</summary>
/// <param name="Metric">The logged metric name.</param>
/// <param name="Mode">Whether lower or higher is better.</param>
public sealed record MonitorInfo(string Metric, MonitorMode Mode);
