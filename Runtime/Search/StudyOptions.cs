using System;
using System.IO;
using Volt.Search.Pruners;
using Volt.Search.Samplers;
using Volt.Search.Storages;

namespace Volt.Search;

/// <summary>How a <see cref="Study"/> is set up (Optuna's <c>create_study</c> arguments).</summary>
public sealed record StudyOptions
{
    /// <summary>The study's name; workers that give the same name and storage join one study.</summary>
    public string Name { get; init; } = "study";

    /// <summary>Minimize (Optuna's default) or maximize the objective.</summary>
    public StudyDirection Direction { get; init; } = StudyDirection.Minimize;

    /// <summary>Where trials live; null keeps them in memory. The study does not dispose it.</summary>
    public IStudyStorage? Storage { get; init; }

    /// <summary>Picks parameter values; null is a <see cref="TpeSampler"/> with Optuna's defaults.</summary>
    public ISampler? Sampler { get; init; }

    /// <summary>Stops hopeless trials; null is a <see cref="MedianPruner"/> with Optuna's defaults.</summary>
    public IPruner? Pruner { get; init; }

    /// <summary>
    /// How often a running trial records a heartbeat in the storage; null records none. With
    /// heartbeats, every new trial first fails the RUNNING trials whose heartbeat is older than
    /// <see cref="GracePeriod"/> (their workers died).
    /// </summary>
    public TimeSpan? HeartbeatInterval { get; init; }

    /// <summary>How old a heartbeat may get before its trial counts as dead; null is twice <see cref="HeartbeatInterval"/> (Optuna's default).</summary>
    public TimeSpan? GracePeriod { get; init; }

    /// <summary>
    /// False (Optuna's default): a trial whose objective throws is recorded as FAIL with its error and
    /// the exception is rethrown. True: it is recorded and printed, and optimization goes on.
    /// </summary>
    public bool ContinueAfterFailedTrial { get; init; }

    /// <summary>Where one line per finished trial goes; null prints nothing.</summary>
    public TextWriter? Log { get; init; }
}
