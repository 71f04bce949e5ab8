using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Search.Samplers;

/// <summary>
/// The Tree-structured Parzen Estimator (Optuna's <c>TPESampler</c>, <c>optuna/samplers/_tpe/sampler.py</c>)
/// with Optuna 3.x's defaults: random sampling for the first <see cref="StartupTrials"/> (10) finished
/// trials; after that the finished trials split into a good group of <c>min(ceil(0.1·n), 25)</c> and
/// the rest, and of <see cref="Candidates"/> (24) draws from the good group's estimator l(x) the one
/// with the largest log l(x) − log g(x) wins. Pruned trials rank after completed ones (deeper last
/// step first, then by their last value); running and failed trials are ignored. Univariate.
/// </summary>
public sealed class TpeSampler : ISampler
{
    private readonly Random random;

    /// <summary>Creates the sampler.</summary>
    /// <param name="seed">The seed; null picks one at random.</param>
    /// <param name="startupTrials">Finished trials sampled at random before TPE starts (Optuna's n_startup_trials).</param>
    /// <param name="candidates">Candidates drawn per suggestion (Optuna's n_ei_candidates).</param>
    public TpeSampler(int? seed = null, int startupTrials = 10, int candidates = 24)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startupTrials);
        ArgumentOutOfRangeException.ThrowIfLessThan(candidates, 1);
        random = seed is { } s ? new Random(s) : new Random();
        StartupTrials = startupTrials;
        Candidates = candidates;
    }

    /// <summary>Finished trials sampled at random before TPE starts.</summary>
    public int StartupTrials { get; }

    /// <summary>Candidates drawn per suggestion.</summary>
    public int Candidates { get; }

    /// <inheritdoc/>
    public int? TrialLimit => null;

    /// <summary>Optuna's default_gamma: the size of the good group among <paramref name="n"/> finished trials.</summary>
    public static int DefaultGamma(int n) => Math.Min((int)Math.Ceiling(0.1 * n), 25);

    /// <summary>Optuna's default_weights: ones below 25 observations, else a ramp from 1/n to 1 over the oldest n − 25 and ones for the newest 25.</summary>
    public static double[] DefaultWeights(int n)
    {
        if (n < 25)
        {
            return Enumerable.Repeat(1.0, n).ToArray();
        }

        var ramp = n - 25;
        var weights = new double[n];
        for (var i = 0; i < ramp; i++)
        {
            weights[i] = ramp == 1 ? 1.0 / n : (1.0 / n) + (i * (1.0 - (1.0 / n)) / (ramp - 1));
        }

        for (var i = ramp; i < n; i++)
        {
            weights[i] = 1.0;
        }

        return weights;
    }

    /// <inheritdoc/>
    public double Sample(SamplingContext context, string name, Distribution distribution)
    {
        var sign = context.Direction == StudyDirection.Maximize ? -1.0 : 1.0;
        var scored = new List<(double Step, double Score, double? Value)>();
        foreach (var trial in context.Trials.OrderBy(t => t.Number))
        {
            (double Step, double Score)? score = trial.State switch
            {
                TrialState.Complete when trial.Value is { } value => (double.NegativeInfinity, sign * value),
                TrialState.Pruned when trial.LastStep is { } step => (-step, double.IsNaN(trial.IntermediateValues[step]) ? double.PositiveInfinity : sign * trial.IntermediateValues[step]),
                TrialState.Pruned => (1.0, 0.0),
                _ => null,
            };
            if (score is { } s)
            {
                scored.Add((s.Step, s.Score, trial.InternalParams.TryGetValue(name, out var param) ? param : null));
            }
        }

        if (scored.Count < StartupTrials)
        {
            return RandomSampler.Sample(random, distribution);
        }

        // Rank by (step, score) ascending; the best gamma(n) form the good group; both groups keep trial order.
        var ranked = Enumerable.Range(0, scored.Count).OrderBy(i => scored[i].Step).ThenBy(i => scored[i].Score).ToList();
        var goodCount = DefaultGamma(scored.Count);
        var good = ranked.Take(goodCount).Order().ToList();
        var bad = ranked.Skip(goodCount).Order().ToList();
        double[] Observed(List<int> indices) => indices.Where(i => scored[i].Value is not null).Select(i => scored[i].Value!.Value).ToArray();

        var below = new ParzenEstimator(Observed(good), distribution);
        var above = new ParzenEstimator(Observed(bad), distribution);
        var candidates = below.Sample(random, Candidates);
        var best = candidates[0];
        var bestScore = double.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            var score = below.LogPdf(candidate) - above.LogPdf(candidate);
            if (score > bestScore)
            {
                bestScore = score;
                best = candidate;
            }
        }

        return best;
    }
}
