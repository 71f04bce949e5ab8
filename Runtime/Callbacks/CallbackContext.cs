using System;
using System.Collections.Generic;
using System.IO;
using Volt.Loops;

namespace Volt.Callbacks;

/// <summary>What a callback sees and can do: counters, metrics, the module, stopping and checkpoints.</summary>
public sealed class CallbackContext
{
    private readonly RunContext run;

    internal CallbackContext(RunContext run)
    {
        this.run = run;
    }

    /// <summary>The module being trained or evaluated.</summary>
    public IVoltModule Module => run.Module;

    /// <summary>The module's monitored metric from <see cref="MonitorAttribute"/>, or null.</summary>
    public MonitorInfo? Monitor => run.Module.Monitor;

    /// <summary>The 0-based epoch in progress.</summary>
    public int CurrentEpoch => run.CurrentEpoch;

    /// <summary>The number of optimizer steps taken.</summary>
    public long GlobalStep => run.GlobalStep;

    /// <summary>True inside <see cref="Trainer.Fit{TTrainBatch}(IFitModule{TTrainBatch}, Data.IDataLoader{TTrainBatch})"/> (also during its validation runs).</summary>
    public bool IsFitting => run.IsFitting;

    /// <summary>True while the sanity-check validation runs before training (its metrics are discarded).</summary>
    public bool IsSanityChecking => run.SanityChecking;

    /// <summary>The latest value of every logged metric (Lightning's <c>trainer.callback_metrics</c>).</summary>
    public IReadOnlyDictionary<string, double> CallbackMetrics => run.CallbackMetrics;

    /// <summary>The run directory, or null when logging is disabled.</summary>
    public string? LogDir => run.LogDir;

    /// <summary>Where checkpoints go by default: <c>&lt;LogDir&gt;/checkpoints</c>, or <c>&lt;DefaultRootDir&gt;/checkpoints</c> without logging.</summary>
    public string DefaultCheckpointDirectory => Path.Combine(run.LogDir ?? run.Options.DefaultRootDir, "checkpoints");

    /// <summary>True once a stop was requested; fitting ends at the next batch or epoch boundary.</summary>
    public bool ShouldStop => run.ShouldStop;

    /// <summary>The reason given with the first stop request, or null.</summary>
    public string? StopReason => run.StopReason;

    /// <summary>
    /// Asks the fit loop to stop at the next batch or epoch boundary. The reason is printed once,
    /// after the progress line of the epoch it was requested in.
    /// </summary>
    /// <param name="reason">Why, for the console and <see cref="StopReason"/>.</param>
    public void RequestStop(string reason) => run.RequestStop(reason);

    /// <summary>The optimizers of the running fit, in the order the module configured them.</summary>
    public IReadOnlyList<TorchSharp.torch.optim.Optimizer> Optimizers => run.Optimizers;

    /// <summary>The scheduler configuration of optimizer <paramref name="optimizerIndex"/>, or null.</summary>
    public SchedulerConfig? SchedulerOf(int optimizerIndex) => run.Schedulers.ConfigOf(optimizerIndex);

    /// <summary>Sends values straight to the loggers at the current global step (not to callback metrics).</summary>
    public void LogMetrics(IReadOnlyDictionary<string, double> values) => run.LogMetrics(values, run.GlobalStep);

    /// <summary>Counts best-checkpoint changes of all checkpoint callbacks (see <see cref="ModelCheckpoint"/>).</summary>
    internal long BestCheckpointChanges
    {
        get => run.BestCheckpointChanges;
        set => run.BestCheckpointChanges = value;
    }

    /// <summary>
    /// The strategy: this process's rank and world size, and the collectives. A callback that writes files
    /// does so when <see cref="Strategies.Strategy.IsGlobalZero"/>; one that decides to stop combines its
    /// decision with <see cref="Strategies.Strategy.ReduceDecision"/> first, so every rank decides alike.
    /// </summary>
    public Strategies.Strategy Strategy => run.Strategy;

    /// <summary>
    /// Writes a full training checkpoint (atomically) to <paramref name="path"/>: every rank's random state is
    /// gathered (a collective), global rank 0 writes, then every rank waits at a barrier until the file is
    /// there. Call it on every rank at the same point with the same path.
    /// </summary>
    /// <exception cref="InvalidOperationException">Called outside fitting.</exception>
    /// <exception cref="IOException">The file could not be written; earlier checkpoints are untouched.</exception>
    public void SaveCheckpoint(string path)
    {
        // Every rank's random state goes into the file, so every rank takes part in gathering it.
        using var scope = TorchSharp.torch.NewDisposeScope();
        var rngStates = Checkpoints.RankRngStates.Gather(run.Strategy);
        if (run.Strategy.IsGlobalZero)
        {
            Checkpoints.TrainingCheckpoint.Save(path, run, rngStates);
        }

        run.Strategy.Barrier();
    }
}
