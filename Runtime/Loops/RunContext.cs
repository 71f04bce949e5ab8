using System;
using System.Collections.Generic;
using TorchSharp;
using Volt.Callbacks;
using Volt.Logging;
using Volt.Precision;
using Volt.Strategies;

namespace Volt.Loops;

/// <summary>
/// What the loops of one trainer call share: the options, the strategy and precision seams, the
/// module's state, loggers, progress output and the counters (epoch, global step).
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
        string? logDir)
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
        CallbackContext = new CallbackContext(this);
    }

    public IVoltModule Module { get; }

    public IReadOnlyList<Callback> Callbacks { get; }

    public CallbackContext CallbackContext { get; }

    public string? LogDir { get; }

    /// <summary>True inside Fit.</summary>
    public bool IsFitting { get; set; }

    /// <summary>The optimizers of the running fit, in the order the module configured them.</summary>
    public List<torch.optim.Optimizer> Optimizers { get; } = [];

    /// <summary>The schedulers of the running fit and how often each has stepped (checkpoints replay the count).</summary>
    public List<ScheduledOptimizer> Schedulers { get; } = [];

    /// <summary>The index of the next training batch of <see cref="CurrentEpoch"/> (what a checkpoint resumes from).</summary>
    public int NextBatchIndex { get; set; }

    /// <summary>True once the training batches of <see cref="CurrentEpoch"/> and its validation are done.</summary>
    public bool EpochFinished { get; set; }

    /// <summary>The batch index the first resumed epoch starts at; 0 otherwise.</summary>
    public int ResumeBatchIndex { get; set; }

    /// <summary>Optimizer states of the checkpoint being resumed, restored as the module's optimizers are attached.</summary>
    public Checkpoints.ResumedOptimizerStates? PendingOptimizerStates { get; set; }

    /// <summary>Training batches run in this fit, across epochs (accumulating ones included).</summary>
    public long TotalTrainBatches { get; set; }

    /// <summary>The number of training batches the current epoch runs.</summary>
    public int TrainBatchesThisEpoch { get; set; }

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

    /// <summary>Calls <paramref name="hook"/> on every callback in order.</summary>
    public void ForEachCallback(Action<Callback, CallbackContext> hook)
    {
        var callbacks = Callbacks;
        for (var i = 0; i < callbacks.Count; i++)
        {
            hook(callbacks[i], CallbackContext);
        }
    }

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

    /// <summary>The 0-based epoch in progress.</summary>
    public int CurrentEpoch { get; set; }

    /// <summary>The number of optimizer steps taken.</summary>
    public long GlobalStep { get; set; }

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

/// <summary>A scheduler the loop steps, and its step count.</summary>
internal sealed class ScheduledOptimizer(SchedulerConfig config, int optimizerIndex)
{
    public SchedulerConfig Config { get; } = config;

    public int OptimizerIndex { get; } = optimizerIndex;

    public int Steps { get; set; }
}
