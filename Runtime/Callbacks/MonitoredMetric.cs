using System;
using System.Linq;

namespace Volt.Callbacks;

/// <summary>Shared rules of callbacks that watch a metric (ModelCheckpoint, EarlyStopping).</summary>
internal static class MonitoredMetric
{
    /// <summary>The explicit option, else the module's [Monitor], else null.</summary>
    public static (string? Metric, MonitorMode Mode) Resolve(string? explicitMetric, MonitorMode? explicitMode, CallbackContext context)
    {
        var metric = explicitMetric ?? context.Monitor?.Metric;
        var mode = explicitMode ?? (explicitMetric is null ? context.Monitor?.Mode : null) ?? MonitorMode.Min;
        return (metric, mode);
    }

    /// <summary>The metric's current value; throws naming the logged metrics when it was never logged.</summary>
    public static double Current(string metric, string owner, CallbackContext context)
    {
        if (context.CallbackMetrics.TryGetValue(metric, out var value))
        {
            return value;
        }

        var logged = context.CallbackMetrics.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        throw new InvalidOperationException(
            $"{owner} monitors '{metric}' (epoch {context.CurrentEpoch}), but no step logged it. Logged metrics: "
            + (logged.Count == 0 ? "none" : string.Join(", ", logged))
            + ". Log it with Log(\"" + metric + "\", ...) in a step, or monitor one of these.");
    }

    /// <summary>True when <paramref name="candidate"/> is strictly better than <paramref name="reference"/>.</summary>
    public static bool IsBetter(double candidate, double reference, MonitorMode mode)
        => mode == MonitorMode.Max ? candidate > reference : candidate < reference;

    /// <summary>The worst possible score of a mode (also what NaN counts as).</summary>
    public static double Worst(MonitorMode mode) => mode == MonitorMode.Max ? double.NegativeInfinity : double.PositiveInfinity;
}
