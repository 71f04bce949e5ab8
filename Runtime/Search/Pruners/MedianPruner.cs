using System;
using System.Linq;

namespace Volt.Search.Pruners;

/// <summary>
/// Prunes a trial whose best intermediate value so far is worse than the median of the completed
/// trials' values at the same step (Optuna's <c>MedianPruner</c>, <c>optuna/pruners/_median.py</c>
/// and <c>_percentile.py</c>). It never prunes while fewer than <see cref="StartupTrials"/> trials
/// are complete, before <see cref="WarmupSteps"/>, off the <see cref="IntervalSteps"/> grid, or when
/// fewer than <see cref="MinTrials"/> completed trials reported at the step. A NaN best value prunes.
/// </summary>
public sealed class MedianPruner : IPruner
{
    /// <summary>Creates the pruner with Optuna's defaults.</summary>
    /// <param name="startupTrials">Completed trials needed before pruning starts (n_startup_trials).</param>
    /// <param name="warmupSteps">Steps of each trial that are never pruned (n_warmup_steps).</param>
    /// <param name="intervalSteps">Prune only on every n-th step after the warmup (interval_steps).</param>
    /// <param name="minTrials">Completed trials that must have reported at the step (n_min_trials).</param>
    public MedianPruner(int startupTrials = 5, int warmupSteps = 0, int intervalSteps = 1, int minTrials = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startupTrials);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(intervalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(minTrials, 1);
        StartupTrials = startupTrials;
        WarmupSteps = warmupSteps;
        IntervalSteps = intervalSteps;
        MinTrials = minTrials;
    }

    /// <summary>Completed trials needed before pruning starts.</summary>
    public int StartupTrials { get; }

    /// <summary>Steps of each trial that are never pruned.</summary>
    public int WarmupSteps { get; }

    /// <summary>Prune only on every n-th step after the warmup.</summary>
    public int IntervalSteps { get; }

    /// <summary>Completed trials that must have reported at the step.</summary>
    public int MinTrials { get; }

    /// <inheritdoc/>
    public bool Prune(PruningContext context)
    {
        var completed = context.Trials.Where(t => t.State == TrialState.Complete).ToList();
        if (completed.Count == 0 || completed.Count < StartupTrials || context.Trial.LastStep is not { } step || step < WarmupSteps)
        {
            return false;
        }

        // Only the first report at or after each interval boundary may prune.
        var nearestLowerPruningStep = ((step - WarmupSteps) / IntervalSteps * IntervalSteps) + WarmupSteps;
        var previousStep = context.Trial.IntermediateValues.Keys.Where(s => s != step).DefaultIfEmpty(-1).Max();
        if (previousStep >= nearestLowerPruningStep)
        {
            return false;
        }

        var maximize = context.Direction == StudyDirection.Maximize;
        var values = context.Trial.IntermediateValues.Values.Where(v => !double.IsNaN(v)).ToList();
        if (values.Count == 0)
        {
            return true;
        }

        var best = maximize ? values.Max() : values.Min();
        var atStep = completed.Where(t => t.IntermediateValues.ContainsKey(step)).Select(t => t.IntermediateValues[step]).Where(v => !double.IsNaN(v)).ToList();
        if (atStep.Count < MinTrials)
        {
            return false;
        }

        var median = Median(atStep);
        return maximize ? best < median : best > median;
    }

    /// <summary>The median with linear interpolation (numpy's percentile 50).</summary>
    internal static double Median(System.Collections.Generic.IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        var position = 0.5 * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + ((position - lower) * (sorted[upper] - sorted[lower]));
    }
}
