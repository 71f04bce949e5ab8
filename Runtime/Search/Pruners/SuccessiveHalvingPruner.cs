using System;
using System.Globalization;
using System.Linq;

namespace Volt.Search.Pruners;

/// <summary>
/// Asynchronous successive halving (Optuna's <c>SuccessiveHalvingPruner</c>,
/// <c>optuna/pruners/_successive_halving.py</c>): rung k is reached at step
/// <c>minResource · reductionFactor^(minEarlyStoppingRate + k)</c>; there the trial records its value
/// (the system attribute <c>completed_rung_k</c>) and continues only if the value is within the best
/// <c>max(1, n / reductionFactor)</c> of the values recorded at that rung by all trials.
/// </summary>
public sealed class SuccessiveHalvingPruner : IPruner
{
    /// <summary>Creates the pruner.</summary>
    /// <param name="minResource">Steps before the first rung; null is Optuna's "auto": the largest last step of the completed trials / 100 (at least 1), and no pruning before a trial completes.</param>
    /// <param name="reductionFactor">How much each rung thins the trials (Optuna's default 4).</param>
    /// <param name="minEarlyStoppingRate">Shifts the first rung to minResource · reductionFactor^rate.</param>
    public SuccessiveHalvingPruner(int? minResource = null, int reductionFactor = 4, int minEarlyStoppingRate = 0)
    {
        if (minResource is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(minResource), minResource, "The minimum resource is at least 1 step.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(reductionFactor, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(minEarlyStoppingRate);
        MinResource = minResource;
        ReductionFactor = reductionFactor;
        MinEarlyStoppingRate = minEarlyStoppingRate;
    }

    /// <summary>Steps before the first rung, or null for "auto".</summary>
    public int? MinResource { get; }

    /// <summary>How much each rung thins the trials.</summary>
    public int ReductionFactor { get; }

    /// <summary>The exponent offset of the first rung.</summary>
    public int MinEarlyStoppingRate { get; }

    /// <summary>The system attribute a trial's value at rung <paramref name="rung"/> goes to.</summary>
    public static string RungKey(int rung) => "completed_rung_" + rung.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public bool Prune(PruningContext context)
    {
        var trial = context.Trial;
        if (trial.LastStep is not { } step)
        {
            return false;
        }

        var minResource = MinResource ?? AutoMinResource(context);
        if (minResource is null)
        {
            return false;
        }

        var rung = 0;
        while (trial.SystemAttributes.ContainsKey(RungKey(rung)))
        {
            rung++;
        }

        var value = trial.IntermediateValues[step];
        while (true)
        {
            var promotionStep = minResource.Value * Math.Pow(ReductionFactor, MinEarlyStoppingRate + rung);
            if (step < promotionStep)
            {
                return false;
            }

            if (double.IsNaN(value))
            {
                return true;
            }

            var key = RungKey(rung);
            context.Storage.SetTrialSystemAttribute(trial.TrialId, key, value.ToString("R", CultureInfo.InvariantCulture));
            var competing = context.Trials
                .Where(t => t.TrialId != trial.TrialId && t.SystemAttributes.ContainsKey(key))
                .Select(t => double.Parse(t.SystemAttributes[key], CultureInfo.InvariantCulture))
                .Append(value)
                .Order()
                .ToList();
            var promotable = Math.Max(0, (competing.Count / ReductionFactor) - 1);
            var survives = context.Direction == StudyDirection.Maximize
                ? value >= competing[competing.Count - 1 - promotable]
                : value <= competing[promotable];
            if (!survives)
            {
                return true;
            }

            rung++;
        }
    }

    private static int? AutoMinResource(PruningContext context)
    {
        var lastSteps = context.Trials.Where(t => t.State == TrialState.Complete && t.LastStep is not null).Select(t => t.LastStep!.Value).ToList();
        return lastSteps.Count == 0 ? null : Math.Max(1, lastSteps.Max() / 100);
    }
}
