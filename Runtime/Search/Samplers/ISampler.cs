using System.Collections.Generic;

namespace Volt.Search.Samplers;

/// <summary>What a sampler sees when a trial asks for a parameter.</summary>
/// <param name="Direction">The study's direction.</param>
/// <param name="Trials">The study's trials when the current trial started (all states).</param>
/// <param name="TrialNumber">The number of the trial asking.</param>
public sealed record SamplingContext(StudyDirection Direction, IReadOnlyList<FrozenTrial> Trials, int TrialNumber);

/// <summary>Picks hyperparameter values for trials (Optuna's <c>BaseSampler.sample_independent</c>).</summary>
public interface ISampler
{
    /// <summary>A value for <paramref name="name"/> in the internal representation of <paramref name="distribution"/>.</summary>
    double Sample(SamplingContext context, string name, Distribution distribution);

    /// <summary>The most trials this sampler can give distinct points to (a grid's size), or null for no limit.</summary>
    int? TrialLimit { get; }
}
