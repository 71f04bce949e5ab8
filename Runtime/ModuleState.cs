using System;
using TorchSharp;
using Volt.Logging;
using static TorchSharp.torch;

namespace Volt;

/// <summary>
/// The runtime state a generated module carries: the device the trainer put it on and the metric
/// collector of the phase that is running. The generated <c>Log</c> and <c>Device</c> members read it.
/// One instance per module object; nothing here is shared between modules or trainers.
/// </summary>
public sealed class ModuleState
{
    private MetricCollector? metrics;

    /// <summary>This process's rank among all training processes; 0 on a single device.</summary>
    public int GlobalRank { get; internal set; }

    /// <summary>The device the module's parameters are on. CPU until a trainer moves the module.</summary>
    public Device Device { get; internal set; } = torch.CPU;

    /// <summary>The collector of the running phase; null outside Fit, Validate, Test and Predict.</summary>
    internal MetricCollector? Metrics
    {
        get => metrics;
        set => metrics = value;
    }

    /// <summary>Records a tensor metric for the running phase.</summary>
    /// <param name="name">The metric name.</param>
    /// <param name="value">A one-element tensor; it is detached and copied, never kept.</param>
    /// <param name="onStep">Record the per-step value; null takes the phase default.</param>
    /// <param name="onEpoch">Aggregate over the epoch; null takes the phase default.</param>
    /// <param name="progressBar">Show the value in the console progress.</param>
    /// <param name="reduce">How epoch values are aggregated.</param>
    /// <param name="batchSize">The weight of this value in an epoch mean; null uses the batch's size.</param>
    /// <param name="syncDist">Reduce the value across processes in data-parallel runs (Lightning's <c>sync_dist</c>); the epoch value is reduced at the epoch end (a mean over all ranks' samples); step values stay this rank's. Every rank must log it. A no-op on one device.</param>
    public void Log(string name, Tensor value, bool? onStep, bool? onEpoch, bool progressBar, MetricReduce reduce, long? batchSize, bool syncDist = false)
        => RequireMetrics(name).Log(name, value, onStep, onEpoch, progressBar, reduce, batchSize, syncDist);

    /// <summary>Records a number metric for the running phase.</summary>
    /// <param name="name">The metric name.</param>
    /// <param name="value">The value.</param>
    /// <param name="onStep">Record the per-step value; null takes the phase default.</param>
    /// <param name="onEpoch">Aggregate over the epoch; null takes the phase default.</param>
    /// <param name="progressBar">Show the value in the console progress.</param>
    /// <param name="reduce">How epoch values are aggregated.</param>
    /// <param name="batchSize">The weight of this value in an epoch mean; null uses the batch's size.</param>
    /// <param name="syncDist">Reduce the value across processes in data-parallel runs (Lightning's <c>sync_dist</c>); the epoch value is reduced at the epoch end (a mean over all ranks' samples); step values stay this rank's. Every rank must log it. A no-op on one device.</param>
    public void Log(string name, double value, bool? onStep, bool? onEpoch, bool progressBar, MetricReduce reduce, long? batchSize, bool syncDist = false)
        => RequireMetrics(name).Log(name, value, onStep, onEpoch, progressBar, reduce, batchSize, syncDist);

    /// <summary>
    /// Logs a metric object (Lightning's <c>self.log(name, metric)</c>): at the epoch end the metric is
    /// computed (synchronised across processes) and reset. Per step it logs the value of the step's
    /// <see cref="Metrics.Metric.Forward"/> call; a step that only called <see cref="Metrics.Metric.Update"/> logs no step value.
    /// </summary>
    /// <param name="name">The metric name.</param>
    /// <param name="metric">The metric, a field of the module.</param>
    /// <param name="onStep">Record the per-step (batch) value; null takes the phase default.</param>
    /// <param name="onEpoch">Record the epoch value; null takes the phase default.</param>
    /// <param name="progressBar">Show the value in the console progress.</param>
    public void Log(string name, Metrics.Metric metric, bool? onStep, bool? onEpoch, bool progressBar)
        => RequireMetrics(name).Log(name, metric, onStep, onEpoch, progressBar);

    /// <summary>Set by the fit loop while a manual-optimization fit runs.</summary>
    internal Action<Tensor>? ManualBackwardHandler { get; set; }

    /// <summary>Runs backward on a loss inside a manual-optimization training step (precision-aware, with the backward hooks).</summary>
    /// <param name="loss">The loss.</param>
    /// <exception cref="InvalidOperationException">Called outside a manual-optimization training step.</exception>
    public void ManualBackward(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var handler = ManualBackwardHandler
            ?? throw new InvalidOperationException("ManualBackward works only inside a [TrainingStep(AutomaticOptimization = false)] step while Trainer.Fit runs.");
        handler(loss);
    }

    /// <summary>Set by the fit loop while a manual-optimization fit runs.</summary>
    internal Func<torch.optim.Optimizer, bool>? ManualStepHandler { get; set; }

    /// <summary>
    /// Steps an optimizer inside a manual-optimization training step through the precision plugin
    /// (unscaling and skipping non-finite steps under 16-mixed) and the callbacks' hooks.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <returns>True when the step was taken.</returns>
    /// <exception cref="InvalidOperationException">Called outside a manual-optimization training step.</exception>
    public bool ManualStep(torch.optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var handler = ManualStepHandler
            ?? throw new InvalidOperationException("ManualStep works only inside a [TrainingStep(AutomaticOptimization = false)] step while Trainer.Fit runs.");
        return handler(optimizer);
    }

    private MetricCollector RequireMetrics(string name)
        => metrics ?? throw new InvalidOperationException(
            $"Log(\"{name}\") was called outside a trainer phase. Log only from step methods, which Trainer.Fit, Validate, Test and Predict call.");
}
