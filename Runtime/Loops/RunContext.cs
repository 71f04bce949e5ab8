using System;
using System.Collections.Generic;
using TorchSharp;
using Volt.Logging;
using Volt.Precision;
using Volt.Strategies;

namespace Volt.Loops;

/// <summary>
/// What the loops of one trainer call share: the options, the strategy and precision seams, the
/// module's state, loggers, progress output and the counters (epoch, global step).
/// </summary>
internal sealed class RunContext
{
    public RunContext(
        TrainerOptions options,
        Strategy strategy,
        PrecisionPlugin precision,
        ModuleState moduleState,
        long shuffleSeed,
        IReadOnlyList<IMetricLogger> loggers,
        IProgressReporter progress,
        Dictionary<string, double> callbackMetrics)
    {
        Options = options;
        Strategy = strategy;
        Precision = precision;
        ModuleState = moduleState;
        ShuffleSeed = shuffleSeed;
        Loggers = loggers;
        Progress = progress;
        CallbackMetrics = callbackMetrics;
    }

    public TrainerOptions Options { get; }

    public Strategy Strategy { get; }

    public PrecisionPlugin Precision { get; }

    public ModuleState ModuleState { get; }

    public long ShuffleSeed { get; }

    public IReadOnlyList<IMetricLogger> Loggers { get; }

    public IProgressReporter Progress { get; }

    /// <summary>Lightning's <c>trainer.callback_metrics</c>: the latest value of every metric, updated at epoch ends.</summary>
    public Dictionary<string, double> CallbackMetrics { get; }

    /// <summary>The latest values of metrics logged with <c>progressBar: true</c>.</summary>
    public Dictionary<string, double> ProgressBarMetrics { get; } = new(StringComparer.Ordinal);

    /// <summary>The 0-based epoch in progress.</summary>
    public int CurrentEpoch { get; set; }

    /// <summary>The number of optimizer steps taken.</summary>
    public long GlobalStep { get; set; }

    /// <summary>Set to stop fitting at the next batch boundary.</summary>
    public bool ShouldStop { get; set; }

    /// <summary>Sends metrics to every logger.</summary>
    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        foreach (var logger in Loggers)
        {
            logger.LogMetrics(metrics, step);
        }
    }

    /// <summary>Turns a collector's epoch values into logger output and callback metrics.</summary>
    public Dictionary<string, double> PublishEpoch(MetricCollector metrics, long step, bool addEpochKey)
    {
        var epochValues = new Dictionary<string, double>(StringComparer.Ordinal);
        metrics.CollectEpochValues(epochValues, progressBarOnly: false);
        metrics.CollectCallbackMetrics(CallbackMetrics, includeStepValues: true);
        metrics.CollectEpochValues(ProgressBarMetrics, progressBarOnly: true);
        if (epochValues.Count > 0)
        {
            var forLoggers = new Dictionary<string, double>(epochValues, StringComparer.Ordinal);
            if (addEpochKey)
            {
                forLoggers["epoch"] = CurrentEpoch;
            }

            LogMetrics(forLoggers, step);
        }

        return epochValues;
    }
}
