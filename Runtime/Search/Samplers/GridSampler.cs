using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Search.Samplers;

/// <summary>
/// Tries every combination of a small search space once (Optuna's <c>GridSampler</c>), in a fixed
/// order: trial <c>n</c> gets grid point <c>n</c>, the last parameter varying fastest. Categorical,
/// integer and stepped float parameters have grids; a continuous float has none (give it a step).
/// The study stops when every point has a trial.
/// </summary>
public sealed class GridSampler : ISampler
{
    /// <summary>The largest grid accepted; a bigger space needs TPE or random search.</summary>
    public const int MaxPoints = 100_000;

    private readonly Dictionary<string, (int Stride, double[] Values)> axes = new(StringComparer.Ordinal);

    /// <summary>Creates the grid for <paramref name="space"/>.</summary>
    /// <exception cref="ArgumentException">A parameter is a continuous float, or the grid has more than <see cref="MaxPoints"/> points.</exception>
    public GridSampler(SearchSpace space)
    {
        ArgumentNullException.ThrowIfNull(space);
        long points = 1;
        var grids = space.Parameters.Select(p => (p.Name, Values: ValuesOf(p))).ToList();
        for (var i = grids.Count - 1; i >= 0; i--)
        {
            axes[grids[i].Name] = ((int)points, grids[i].Values);
            points *= grids[i].Values.Length;
            if (points > MaxPoints)
            {
                throw new ArgumentException($"The grid of this search space has more than {MaxPoints} points; use the TPE or random sampler.", nameof(space));
            }
        }

        TrialLimit = (int)points;
    }

    /// <inheritdoc/>
    public int? TrialLimit { get; }

    /// <inheritdoc/>
    public double Sample(SamplingContext context, string name, Distribution distribution)
    {
        if (!axes.TryGetValue(name, out var axis))
        {
            throw new ArgumentException($"'{name}' is not in the grid sampler's search space ({string.Join(", ", axes.Keys)}).", nameof(name));
        }

        return axis.Values[context.TrialNumber / axis.Stride % axis.Values.Length];
    }

    private static double[] ValuesOf(SearchParameter parameter) => parameter.Distribution switch
    {
        CategoricalDistribution categorical => Enumerable.Range(0, categorical.Choices.Count).Select(i => (double)i).ToArray(),
        IntDistribution integer when integer.Count <= MaxPoints => Enumerable.Range(0, (int)integer.Count).Select(k => (double)(integer.Low + (k * integer.Step))).ToArray(),
        FloatDistribution { Step: not null } stepped when stepped.GridPointCount() <= MaxPoints
            => Enumerable.Range(0, (int)stepped.GridPointCount()).Select(k => stepped.GridPoint(k)).ToArray(),
        _ => throw new ArgumentException($"'{parameter.Name}' ({parameter.Distribution}) has no finite grid; give a float range a step, or use the TPE or random sampler."),
    };
}
