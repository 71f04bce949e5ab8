using System;
using System.Collections.Generic;
using System.Linq;
using Volt.Logging;

namespace Volt.Runtime.Tests.Logging;

/// <summary>Records every call the trainer makes on a logger, in order.</summary>
internal sealed class RecordingLogger : IMetricLogger
{
    public List<string> Calls { get; } = [];

    public string? RunDirectory { get; private set; }

    public IReadOnlyDictionary<string, object?>? Hyperparameters { get; private set; }

    public List<(IReadOnlyDictionary<string, double> Metrics, long Step)> Metrics { get; } = [];

    public List<RunStatus> Finishes { get; } = [];

    /// <summary>Throw from <see cref="Finish"/> (to check that the trainer's own error is not hidden).</summary>
    public bool ThrowOnFinish { get; init; }

    public void Open(string runDirectory)
    {
        Calls.Add("Open");
        RunDirectory = runDirectory;
    }

    public void LogHyperparameters(IReadOnlyDictionary<string, object?> hyperparameters)
    {
        Calls.Add("LogHyperparameters");
        Hyperparameters = hyperparameters;
    }

    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        Calls.Add("LogMetrics");
        Metrics.Add((new Dictionary<string, double>(metrics), step));
    }

    public void Flush() => Calls.Add("Flush");

    public void Finish(RunStatus status)
    {
        Calls.Add("Finish(" + status + ")");
        Finishes.Add(status);
        if (ThrowOnFinish)
        {
            throw new InvalidOperationException("the recording logger's Finish fails on purpose");
        }
    }

    /// <summary>Every metric name this logger received.</summary>
    public IEnumerable<string> MetricNames => Metrics.SelectMany(m => m.Metrics.Keys).Distinct();
}
