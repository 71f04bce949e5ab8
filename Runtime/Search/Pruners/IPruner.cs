using System.Collections.Generic;
using Volt.Search.Storages;

namespace Volt.Search.Pruners;

/// <summary>What a pruner sees when a trial asks whether to stop.</summary>
/// <param name="Direction">The study's direction.</param>
/// <param name="Trials">The study's trials as stored now (all states, the asking trial included).</param>
/// <param name="Trial">The asking trial as stored now, with the value it just reported.</param>
/// <param name="Storage">The storage, for pruners that record state on trials (successive halving's rungs).</param>
public sealed record PruningContext(StudyDirection Direction, IReadOnlyList<FrozenTrial> Trials, FrozenTrial Trial, IStudyStorage Storage);

/// <summary>Decides whether a running trial should stop early (Optuna's <c>BasePruner</c>).</summary>
public interface IPruner
{
    /// <summary>True when the trial should be pruned now.</summary>
    bool Prune(PruningContext context);
}

/// <summary>Never prunes (Optuna's <c>NopPruner</c>).</summary>
public sealed class NopPruner : IPruner
{
    /// <inheritdoc/>
    public bool Prune(PruningContext context) => false;
}
