using System;

namespace Volt.Search.Samplers;

/// <summary>Samples every parameter independently and uniformly (in log space for log distributions), as Optuna's <c>RandomSampler</c>.</summary>
/// <param name="seed">The seed; null picks one at random.</param>
public sealed class RandomSampler(int? seed = null) : ISampler
{
    private readonly Random random = seed is { } s ? new Random(s) : new Random();

    /// <inheritdoc/>
    public int? TrialLimit => null;

    /// <inheritdoc/>
    public double Sample(SamplingContext context, string name, Distribution distribution) => Sample(random, distribution);

    /// <summary>A uniform sample of <paramref name="distribution"/> (internal representation) drawn from <paramref name="random"/>.</summary>
    internal static double Sample(Random random, Distribution distribution)
    {
        switch (distribution)
        {
            case FloatDistribution { Log: true } logFloat:
                return Math.Min(logFloat.High, Math.Exp(Uniform(random, Math.Log(logFloat.Low), Math.Log(logFloat.High))));
            case FloatDistribution { Step: not null } stepped:
                return stepped.GridPoint(random.NextInt64(stepped.GridPointCount()));
            case FloatDistribution plain:
                return Uniform(random, plain.Low, plain.High);
            case IntDistribution { Log: true } logInt:
                var x = Math.Round(Math.Exp(Uniform(random, Math.Log(logInt.Low - 0.5), Math.Log(logInt.High + 0.5))));
                return Math.Clamp(x, logInt.Low, logInt.High);
            case IntDistribution integer:
                return integer.Low + (integer.Step * random.NextInt64(integer.Count));
            case CategoricalDistribution categorical:
                return random.Next(categorical.Choices.Count);
            default:
                throw new ArgumentException($"The distribution {distribution} is not one the random sampler knows.", nameof(distribution));
        }
    }

    private static double Uniform(Random random, double low, double high) => low + (random.NextDouble() * (high - low));
}
