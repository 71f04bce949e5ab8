using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Search.Samplers;

/// <summary>
/// The one-parameter Parzen estimator of TPE, following Optuna 3.1's
/// <c>optuna/samplers/_tpe/parzen_estimator.py</c> with its defaults (consider_prior, prior_weight 1,
/// consider_magic_clip, no endpoints): a mixture of truncated normals, one per observation plus a
/// prior at the middle of the range, or a smoothed histogram for categorical parameters.
/// Observations are given oldest first; the weights favour recent ones past 25 observations.
/// </summary>
internal sealed class ParzenEstimator
{
    private const double PriorWeight = 1.0;

    private readonly Distribution distribution;
    private readonly double[] weights;
    private readonly double[] mus = [];
    private readonly double[] sigmas = [];
    private readonly double[][] categoricalWeights = [];
    private readonly double low;
    private readonly double high;
    private readonly double? q;

    public ParzenEstimator(double[] observations, Distribution distribution)
    {
        this.distribution = distribution;
        var n = observations.Length;
        weights = [.. TpeSampler.DefaultWeights(n), PriorWeight];
        var total = weights.Sum();
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] /= total;
        }

        if (distribution is CategoricalDistribution categorical)
        {
            var choices = categorical.Choices.Count;
            var smoothing = PriorWeight / (n + 1);
            categoricalWeights = new double[n + 1][];
            for (var i = 0; i <= n; i++)
            {
                var row = Enumerable.Repeat(smoothing, choices).ToArray();
                if (i < n)
                {
                    row[(int)observations[i]] += 1;
                }

                var rowSum = row.Sum();
                categoricalWeights[i] = row.Select(w => w / rowSum).ToArray();
            }

            return;
        }

        (low, high, q) = distribution switch
        {
            FloatDistribution { Log: true } f => (Math.Log(f.Low), Math.Log(f.High), (double?)null),
            FloatDistribution { Step: { } step } f => (f.Low - (0.5 * step), f.High + (0.5 * step), step),
            FloatDistribution f => (f.Low, f.High, null),
            IntDistribution { Log: true } i => (Math.Log(i.Low - 0.5), Math.Log(i.High + 0.5), null),
            IntDistribution i => (i.Low - (0.5 * i.Step), i.High + (0.5 * i.Step), i.Step),
            _ => throw new ArgumentException($"TPE does not know the distribution {distribution}."),
        };

        var transformed = observations.Select(ToUniform).ToArray();
        (mus, sigmas) = NumericalParameters(transformed);
    }

    /// <summary>Draws <paramref name="count"/> candidates (internal representation).</summary>
    public double[] Sample(Random random, int count)
    {
        var samples = new double[count];
        for (var s = 0; s < count; s++)
        {
            var component = PickComponent(random);
            if (distribution is CategoricalDistribution)
            {
                samples[s] = PickIndex(random, categoricalWeights[component]);
                continue;
            }

            samples[s] = FromUniform(TruncatedNormal.Sample(random, mus[component], sigmas[component], low, high));
        }

        return samples;
    }

    /// <summary>The log density (log probability mass for discrete parameters) of <paramref name="x"/>.</summary>
    public double LogPdf(double x)
    {
        var terms = new double[weights.Length];
        for (var k = 0; k < weights.Length; k++)
        {
            terms[k] = Math.Log(weights[k]) + ComponentLogPdf(k, x);
        }

        var max = terms.Max();
        return double.IsNegativeInfinity(max) ? max : max + Math.Log(terms.Sum(t => Math.Exp(t - max)));
    }

    private double ComponentLogPdf(int k, double x)
    {
        if (distribution is CategoricalDistribution)
        {
            return Math.Log(categoricalWeights[k][(int)x]);
        }

        var u = ToUniform(x);
        if (q is not { } step)
        {
            return TruncatedNormal.LogPdf(u, mus[k], sigmas[k], low, high);
        }

        var upper = Math.Min(u + (step / 2), high);
        var lower = Math.Max(u - (step / 2), low);
        return TruncatedNormal.LogMass((lower - mus[k]) / sigmas[k], (upper - mus[k]) / sigmas[k])
            - TruncatedNormal.LogMass((low - mus[k]) / sigmas[k], (high - mus[k]) / sigmas[k]);
    }

    private (double[] Mus, double[] Sigmas) NumericalParameters(double[] observations)
    {
        var n = observations.Length;
        var allMus = new double[n + 1];
        Array.Copy(observations, allMus, n);
        allMus[n] = 0.5 * (low + high);

        // Each component's width is the larger gap to its sorted neighbours (the range ends count
        // as neighbours), except that the outermost ones use their inner gap (no endpoints).
        var order = Enumerable.Range(0, n + 1).OrderBy(i => allMus[i]).ToArray();
        var withEnds = new double[n + 3];
        withEnds[0] = low;
        for (var i = 0; i <= n; i++)
        {
            withEnds[i + 1] = allMus[order[i]];
        }

        withEnds[n + 2] = high;
        var sortedSigmas = new double[n + 1];
        for (var i = 0; i <= n; i++)
        {
            sortedSigmas[i] = Math.Max(withEnds[i + 1] - withEnds[i], withEnds[i + 2] - withEnds[i + 1]);
        }

        if (withEnds.Length >= 4)
        {
            sortedSigmas[0] = withEnds[2] - withEnds[1];
            sortedSigmas[n] = withEnds[n + 1] - withEnds[n];
        }

        var allSigmas = new double[n + 1];
        for (var i = 0; i <= n; i++)
        {
            allSigmas[order[i]] = sortedSigmas[i];
        }

        // Optuna's "magic clip": no component narrower than range / min(100, components + 1).
        var maxSigma = high - low;
        var minSigma = (high - low) / Math.Min(100.0, 1.0 + (n + 1));
        for (var i = 0; i <= n; i++)
        {
            allSigmas[i] = Math.Clamp(allSigmas[i], minSigma, maxSigma);
        }

        allSigmas[n] = high - low;
        return (allMus, allSigmas);
    }

    private int PickComponent(Random random) => PickIndex(random, weights);

    private static int PickIndex(Random random, double[] probabilities)
    {
        var u = random.NextDouble();
        var cumulative = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            cumulative += probabilities[i];
            if (u < cumulative)
            {
                return i;
            }
        }

        return probabilities.Length - 1;
    }

    private double ToUniform(double x) => distribution is FloatDistribution { Log: true } or IntDistribution { Log: true } ? Math.Log(x) : x;

    private double FromUniform(double u) => distribution switch
    {
        FloatDistribution { Log: true } f => Math.Clamp(Math.Exp(u), f.Low, f.High),
        FloatDistribution { Step: not null } f => f.NearestGridPoint(u),
        FloatDistribution => u,
        IntDistribution { Log: true } i => Math.Clamp(Math.Round(Math.Exp(u)), i.Low, i.High),
        IntDistribution i => Math.Clamp((Math.Round((u - i.Low) / i.Step) * i.Step) + i.Low, i.Low, i.High),
        _ => u,
    };
}
