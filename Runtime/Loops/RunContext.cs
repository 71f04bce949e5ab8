using System;
using System.Collections.Generic;
using TorchSharp;
using Volt.Callbacks;
using Volt.Logging;
using Volt.Precision;
using Volt.Profiling;
using Volt.Strategies;

namespace Volt.Loops;

/// <summary>
/// What the loops of one trainer call share: the options, the strategy and precision seams, the
/// module's state, loggers, progress output, the callbacks' dispatcher and the trainer's loop counters.
/// </summary>
internal sealed class RunContext
{
    /// <summary>True while the stop reason waits for the progress line of its epoch.</summary>
    private bool stopReasonPending;

    public RunContext(
        TrainerOptions options,
        Strategy strategy,
        PrecisionPlugin precision,
        IVoltModule module,
        long shuffleSeed,
        IReadOnlyList<IMetricLogger> loggers,
        IProgressReporter progress,
        Dictionary<string, double> callbackMetrics,
        IReadOnlyList<Callback> callbacks,
        string? logDir,
        LoopProgress loopProgress,
        SimpleProfiler? profiler)
    {
        Options = options;
        Strategy = strategy;
        Precision = precision;
        Module = module;
        ModuleState = module.State;
        ShuffleSeed = shuffleSeed;
        Loggers = loggers;
        Progress = progress;
        CallbackMetrics = callbackMetrics;
        Callbacks = callbacks;
        LogDir = logDir;
        Profiler = profiler;
        CallbackContext = new CallbackContext(this);
        Hooks = new CallbackDispatcher(callbacks, CallbackContext, profiler);
        LoopProgress = loopProgress;
    }

    public IVoltModule Module { get; }

    public IReadOnlyList<Callback> Callbacks { get; }

    /// <summary>Calls the callbacks' hooks; every hook goes through it.</summary>
    public CallbackDispatcher Hooks { get; }

    public CallbackContext CallbackContext { get; }

    /// <summary>The profiler of this call (<see cref="TrainerOptions.Profiler"/>), or null when profiling is off or on ranks other than 0.</summary>
    public SimpleProfiler? Profiler { get; }

    /// <summary>Every loop counter: epoch, global step and the position within the running fit (the trainer's, shared by all its calls).</summary>
    public LoopProgress LoopProgress { get; }

    public string? LogDir { get; }

    /// <summary>True inside Fit.</summary>
    public bool IsFitting { get; set; }

    /// <summary>The optimizers of the running fit, in the order the module configured them.</summary>
    public List<torch.optim.Optimizer> Optimizers { get; } = [];

    /// <summary>The schedulers of the running fit, how often each has stepped (checkpoints replay the count) and when they step.</summary>
    public SchedulerStepper Schedulers { get; } = new();

    /// <summary>Optimizer states of the checkpoint being resumed, restored as the module's optimizers are attached.</summary>
    public Checkpoints.ResumedOptimizerStates? PendingOptimizerStates { get; set; }

    /// <summary>True while the sanity-check validation runs before training.</summary>
    public bool SanityChecking { get; set; }

    /// <summary>True when this fit resumed from a checkpoint.</summary>
    public bool Resumed { get; set; }

    /// <summary>The SIGINT/SIGTERM handling of the running fit, or null (outside Fit, or <see cref="TrainerOptions.HandleInterrupts"/> off).</summary>
    public InterruptSignals? Interrupts { get; set; }

    /// <summary>Where messages that must be seen go (the resumed file, overridden values), even without a progress bar.</summary>
    public System.IO.TextWriter Messages { get; init; } = System.IO.TextWriter.Null;

    /// <summary>Counts changes of any <see cref="ModelCheckpoint"/>'s best checkpoint, so a last.ckpt written before one can be refreshed.</summary>
    public long BestCheckpointChanges { get; set; }

    /// <summary>Why a callback requested a stop.</summary>
    public string? StopReason { get; set; }

    public TrainerOptions Options { get; }

    public Strategy Strategy { get; }

    public PrecisionPlugin Precision { get; }

    public ModuleState ModuleState { get; }

    public long ShuffleSeed { get; set; }

    public IReadOnlyList<IMetricLogger> Loggers { get; }

    public IProgressReporter Progress { get; }

    /// <summary>Lightning's <c>trainer.callback_metrics</c>: the latest value of every metric, updated at epoch ends.</summary>
    public Dictionary<string, double> CallbackMetrics { get; }

    /// <summary>The latest values of metrics logged with <c>progressBar: true</c>.</summary>
    public Dictionary<string, double> ProgressBarMetrics { get; } = new(StringComparer.Ordinal);

    /// <summary>The 0-based epoch in progress (<see cref="LoopProgress"/>).</summary>
    public int CurrentEpoch => LoopProgress.CurrentEpoch;

    /// <summary>The number of optimizer steps taken (<see cref="LoopProgress"/>).</summary>
    public long GlobalStep => LoopProgress.GlobalStep;

    /// <summary>Set to stop fitting at the next batch boundary.</summary>
    public bool ShouldStop { get; set; }

    /// <summary>True from the start of a training epoch until its progress line is printed.</summary>
    public bool EpochLinePending { get; set; }

    /// <summary>
    /// Records the first stop request. Its reason is printed at once, or — inside a training epoch —
    /// after that epoch's progress line (<see cref="PrintPendingStopReason"/>).
    /// </summary>
    public void RequestStop(string reason)
    {
        if (ShouldStop)
        {
            return;
        }

        StopReason = reason;
        ShouldStop = true;
        if (EpochLinePending)
        {
            stopReasonPending = true;
        }
        else
        {
            Progress.OnMessage(reason);
        }
    }

    /// <summary>Ends the wait for the epoch's progress line and prints a stop reason that was held back for it.</summary>
    public void PrintPendingStopReason()
    {
        EpochLinePending = false;
        if (stopReasonPending)
        {
            stopReasonPending = false;
            Progress.OnMessage(StopReason!);
        }
    }

    /// <summary>Sends metrics to every logger and flushes it (Lightning saves each logger after every <c>log_metrics</c>), so a crash loses no logged row.</summary>
    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        if (metrics.Count == 0)
        {
            return;
        }

        foreach (var logger in Loggers)
        {
            logger.LogMetrics(metrics, step);
            logger.Flush();
        }
    }

    /// <summary>
    /// Combines the stop requests of every process (any one stops all) and returns whether fitting should
    /// stop. A rank that did not request the stop itself records it with a reason naming that. Every rank
    /// must call this at the same points of the loop.
    /// </summary>
    public bool ReduceShouldStop()
    {
        if (Strategy.WorldSize > 1 && Strategy.ReduceDecision(ShouldStop) && !ShouldStop)
        {
            RequestStop($"Stopping in epoch {CurrentEpoch}: another process requested a stop.");
        }

        return ShouldStop;
    }

    /// <summary>Turns a collector's epoch values into logger output and callback metrics.</summary>
    public Dictionary<string, double> PublishEpoch(MetricCollector metrics, long step, bool addEpochKey)
    {
        var epochValues = new Dictionary<string, double>(StringComparer.Ordinal);
        metrics.SyncEpochValues(Strategy);
        metrics.CollectEpochValues(epochValues, progressBarOnly: false);
        metrics.CollectCallbackMetrics(CallbackMetrics, includeStepValues: true);
        metrics.CollectEpochValues(ProgressBarMetrics, progressBarOnly: true);
        if (epochValues.Count > 0)
        {
            var forLoggers = new Dictionary<string, double>(epochValues, StringComparer.Ordinal);
            if (addEpochKey)
            {
                forLoggers["epoch"] = CurrentEpoch;
            }

            LogMetrics(forLoggers, step);
        }

        return epochValues;
    }
}
