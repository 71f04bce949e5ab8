using System;
using Volt.Callbacks;

namespace Volt.Search;

/// <summary>
/// Reports the monitored metric to a trial at each validation end and stops the fit when the
/// study's pruner says so (Optuna's <c>PyTorchLightningPruningCallback</c>). The step is the epoch;
/// the sanity check does not report. Instead of throwing out of the fit, it asks the trainer to
/// stop (the fit ends at the next boundary, normally, so checkpoints, loggers and the module's
/// tensors are released as after any fit) and marks the trial pruned, which the study records as
/// PRUNED when the objective returns.
/// </summary>
/// <param name="trial">The trial being evaluated.</param>
public sealed class PruningCallback(Trial trial) : Callback
{
    private readonly Trial trial = trial ?? throw new ArgumentNullException(nameof(trial));
    private string? metric;

    /// <summary>The metric to report; null uses the module's [Monitor].</summary>
    public string? Monitor { get; init; }

    /// <summary>The epoch at which the trial was pruned, or null.</summary>
    public int? PrunedEpoch { get; private set; }

    /// <inheritdoc/>
    public override string StateKey => nameof(PruningCallback);

    /// <inheritdoc/>
    public override void OnFitStart(CallbackContext context)
    {
        (metric, _) = MonitoredMetric.Resolve(Monitor, null, context);
        if (metric is null)
        {
            throw new InvalidOperationException("PruningCallback has no metric to report: give it Monitor = \"...\" or put [Monitor(...)] on the module.");
        }
    }

    /// <inheritdoc/>
    public override void OnValidationEpochEnd(CallbackContext context)
    {
        if (context.IsSanityChecking || metric is null || PrunedEpoch is not null)
        {
            return;
        }

        var value = MonitoredMetric.Current(metric, nameof(PruningCallback), context);
        trial.Report(value, context.CurrentEpoch);
        if (trial.ShouldPrune())
        {
            PrunedEpoch = context.CurrentEpoch;
            trial.MarkPruned();
            context.RequestStop($"Trial {trial.Number} was pruned at epoch {context.CurrentEpoch} ({metric} = {value:G6}).");
        }
    }
}
