using System.Collections.Generic;
using Volt.Callbacks;
using Volt.Logging;

namespace VoltDocExamples;

// The custom logger and callback of docs/architecture.md.

/// <summary>Keeps the last logged value of every metric, with the step it was logged at.</summary>
public sealed class LastValueLogger : IMetricLogger
{
    public Dictionary<string, (double Value, long Step)> Last { get; } = [];

    public RunStatus? Status { get; private set; }

    public void Open(string runDirectory)
    {
    }

    public void LogHyperparameters(IReadOnlyDictionary<string, object?> hyperparameters)
    {
    }

    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        foreach (var (name, value) in metrics)
        {
            Last[name] = (value, step);
        }
    }

    public void Flush()
    {
    }

    public void Finish(RunStatus status) => Status = status;
}

/// <summary>Stops fitting at the end of the first epoch whose mean training loss is below a threshold.</summary>
public sealed class StopBelowLoss(string metric, double threshold) : Callback
{
    public override void OnTrainEpochEnd(CallbackContext context)
    {
        if (context.CallbackMetrics.TryGetValue(metric, out var loss) && loss < threshold)
        {
            context.RequestStop($"{metric} = {loss:0.####} is below {threshold}");
        }
    }
}
