using System;
using System.Globalization;
using System.Text.Json;

namespace Volt.Callbacks;

/// <summary>
/// Stops fitting when a monitored metric stops improving (Lightning's <c>EarlyStopping</c>). It checks
/// after each validation run, or after each training epoch when there is no validation. The metric
/// and mode default to the module's <see cref="MonitorAttribute"/>.
/// </summary>
/// <remarks>
/// With several processes the decision is combined across ranks (any rank's stop stops all, as
/// Lightning's <c>reduce_boolean_decision</c>). Log the monitored metric with <c>syncDist: true</c> so
/// every rank judges the same value.
/// </remarks>
public sealed class EarlyStopping : Callback
{
    private string? metric;
    private MonitorMode mode;
    private bool resolved;
    private bool validatedThisEpoch;

    /// <summary>The metric to watch; null uses the module's [Monitor].</summary>
    public string? Monitor { get; init; }

    /// <summary>Whether lower or higher is better; null uses the module's [Monitor] (or Min).</summary>
    public MonitorMode? Mode { get; init; }

    /// <summary>How many checks without improvement are tolerated. Default 3.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>The smallest change that counts as an improvement. Default 0.</summary>
    public double MinDelta { get; init; }

    /// <summary>Stop as soon as the metric is better than this value.</summary>
    public double? StoppingThreshold { get; init; }

    /// <summary>Stop as soon as the metric is worse than this value.</summary>
    public double? DivergenceThreshold { get; init; }

    /// <summary>Stop when the metric becomes NaN or infinite. Default true.</summary>
    public bool CheckFinite { get; init; } = true;

    /// <summary>The best value seen.</summary>
    public double BestScore { get; private set; } = double.NaN;

    /// <summary>Checks since the last improvement.</summary>
    public int WaitCount { get; private set; }

    /// <summary>The epoch fitting was stopped in, or -1.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <summary>Why this callback stopped fitting, or null.</summary>
    public string? StopReason { get; private set; }

    /// <inheritdoc/>
    public override void OnFitStart(CallbackContext context)
    {
        if (Patience < 0)
        {
            throw new ArgumentException($"EarlyStopping.Patience is {Patience}; it must be 0 or more.");
        }

        (metric, mode) = MonitoredMetric.Resolve(Monitor, Mode, context);
        if (metric is null)
        {
            throw new InvalidOperationException("EarlyStopping needs a metric: set EarlyStopping.Monitor or put [Monitor(\"name\", MonitorMode.Min|Max)] on the module.");
        }

        if (double.IsNaN(BestScore))
        {
            BestScore = MonitoredMetric.Worst(mode);
        }

        resolved = true;
    }

    /// <inheritdoc/>
    public override void OnTrainEpochStart(CallbackContext context) => validatedThisEpoch = false;

    /// <inheritdoc/>
    public override void OnValidationEpochEnd(CallbackContext context)
    {
        if (context.IsFitting && !context.IsSanityChecking)
        {
            validatedThisEpoch = true;
            Check(context);
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEpochEnd(CallbackContext context)
    {
        if (!validatedThisEpoch)
        {
            Check(context);
        }
    }

    private void Check(CallbackContext context)
    {
        if (!resolved)
        {
            return;
        }

        // Every rank takes part in the reduction, also one that is already stopping, so the collective calls match.
        string? reason = null;
        if (!context.ShouldStop)
        {
            var current = MonitoredMetric.Current(metric!, "EarlyStopping", context);
            reason = Evaluate(current, context.CurrentEpoch);
        }

        if (context.Strategy.ReduceDecision(reason is not null) && !context.ShouldStop)
        {
            reason ??= $"Early stopping in epoch {context.CurrentEpoch}: another process's {metric} stopped improving.";
            StoppedEpoch = context.CurrentEpoch;
            StopReason = reason;
            context.RequestStop(reason);
        }
    }

    /// <summary>Lightning's stopping criteria, in order; returns the reason to stop or null.</summary>
    private string? Evaluate(double current, int epoch)
    {
        var name = metric!;
        if (CheckFinite && !double.IsFinite(current))
        {
            return $"Early stopping in epoch {epoch}: {name} = {Show(current)} is not finite. Best {name} was {Show(BestScore)}.";
        }

        if (StoppingThreshold is { } stopAt && MonitoredMetric.IsBetter(current, stopAt, mode))
        {
            return $"Early stopping in epoch {epoch}: {name} = {Show(current)} reached the stopping threshold {Show(stopAt)}.";
        }

        if (DivergenceThreshold is { } divergeAt && MonitoredMetric.IsBetter(divergeAt, current, mode))
        {
            return $"Early stopping in epoch {epoch}: {name} = {Show(current)} is past the divergence threshold {Show(divergeAt)}.";
        }

        var delta = mode == MonitorMode.Max ? Math.Abs(MinDelta) : -Math.Abs(MinDelta);
        if (MonitoredMetric.IsBetter(current - delta, BestScore, mode))
        {
            BestScore = current;
            WaitCount = 0;
            return null;
        }

        WaitCount++;
        return WaitCount >= Patience
            ? $"Early stopping in epoch {epoch}: {name} did not improve in the last {WaitCount} checks. Best {name} was {Show(BestScore)}."
            : null;
    }

    private static string Show(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override void SaveState(Utf8JsonWriter writer)
    {
        writer.WriteNumber("waitCount", WaitCount);
        writer.WriteNumber("stoppedEpoch", StoppedEpoch);
        CallbackStateJson.WriteDouble(writer, "bestScore", BestScore);
        writer.WriteNumber("patience", Patience);
    }

    /// <inheritdoc/>
    public override void LoadState(JsonElement state)
    {
        WaitCount = state.GetProperty("waitCount").GetInt32();
        StoppedEpoch = state.GetProperty("stoppedEpoch").GetInt32();
        BestScore = CallbackStateJson.ReadDouble(state.GetProperty("bestScore"));
    }
}
