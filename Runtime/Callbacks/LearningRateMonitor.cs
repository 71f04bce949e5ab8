using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Callbacks;

/// <summary>
/// Logs every optimizer's learning rate to the loggers (Lightning's <c>LearningRateMonitor</c>), as
/// <c>lr-&lt;optimizer type&gt;</c> (or the scheduler's <see cref="SchedulerConfig.Name"/>), with
/// <c>/pgN</c> for parameter groups after the first and <c>-N</c> when several optimizers share a type.
/// </summary>
public sealed class LearningRateMonitor : Callback
{
    private readonly Dictionary<string, double> latest = new(StringComparer.Ordinal);

    /// <summary>
    /// When to log: <see cref="SchedulerInterval.Step"/> (every optimizer step) or
    /// <see cref="SchedulerInterval.Epoch"/> (each epoch start); null follows each scheduler's interval
    /// (epoch for optimizers without a scheduler).
    /// </summary>
    public SchedulerInterval? LoggingInterval { get; init; }

    /// <summary>The rates logged last, by name.</summary>
    public IReadOnlyDictionary<string, double> LatestRates => latest;

    /// <inheritdoc/>
    public override void OnTrainEpochStart(CallbackContext context) => Log(context, SchedulerInterval.Epoch);

    /// <inheritdoc/>
    public override void OnTrainBatchStart(CallbackContext context, int batchIndex) => Log(context, SchedulerInterval.Step);

    private void Log(CallbackContext context, SchedulerInterval moment)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var optimizers = context.Optimizers;
        for (var i = 0; i < optimizers.Count; i++)
        {
            var scheduler = context.SchedulerOf(i);
            var interval = LoggingInterval ?? scheduler?.Interval ?? SchedulerInterval.Epoch;
            if (interval != moment)
            {
                continue;
            }

            var typeName = optimizers[i].GetType().Name;
            var name = scheduler?.Name ?? "lr-" + typeName;
            if (scheduler?.Name is null && optimizers.Count(o => o.GetType().Name == typeName) > 1)
            {
                name += "-" + optimizers.Take(i).Count(o => o.GetType().Name == typeName);
            }

            var groups = optimizers[i].ParamGroups.ToList();
            for (var g = 0; g < groups.Count; g++)
            {
                values[g == 0 ? name : $"{name}/pg{g + 1}"] = groups[g].LearningRate;
            }
        }

        if (values.Count > 0)
        {
            foreach (var (name, value) in values)
            {
                latest[name] = value;
            }

            context.LogMetrics(values);
        }
    }
}
