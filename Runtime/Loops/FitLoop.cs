using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Volt.Callbacks;
using Volt.Data;
using Volt.Logging;
using Volt.Precision;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Loops;

/// <summary>
/// The runtime services the generated fit loop calls: an optional sanity check
/// (<see cref="BeginSanityCheck"/>), then per epoch <see cref="BeginEpoch"/>, for each batch
/// <see cref="BeginBatch"/>, <see cref="GetBatch"/>, the step with its accumulation and clipping
/// decisions, <see cref="EndBatch"/> and validation when <see cref="ShouldValidateAfterBatch"/>; then
/// <see cref="EndEpoch"/>. It keeps the counters, stop conditions, metrics and progress output;
/// the order of tensor work stays in the generated code.
/// </summary>
/// <typeparam name="TBatch">The training batch type.</typeparam>
public sealed class FitLoop<TBatch> : IDisposable
{
    private readonly RunContext context;
    private readonly IDataLoader<TBatch> data;
    private readonly Dictionary<string, double> stepValues = new(StringComparer.Ordinal);
    private IEpochBatches<TBatch>? epochBatches;
    private int batchLimit;
    private bool steppedThisBatch;
    private bool manual;
    private Tensor? sanityRngState;
    private bool epochOpen;
    private readonly TrainingLoss loss = new();

    internal FitLoop(RunContext context, IDataLoader<TBatch> data)
    {
        this.context = context;
        this.data = data;
        Metrics = new MetricCollector(RunPhase.Train);
    }

    /// <summary>The device batches go to.</summary>
    public Device Device => context.Strategy.Device;

    /// <summary>The precision plugin: autocast, backward and optimizer step.</summary>
    public PrecisionPlugin Precision => context.Precision;

    /// <summary>The strategy: device placement and gradient reduction.</summary>
    public Strategy Strategy => context.Strategy;

    /// <summary>The collector behind the module's <c>Log</c> during training steps.</summary>
    public MetricCollector Metrics { get; }

    /// <summary>The 0-based epoch in progress.</summary>
    public int CurrentEpoch => context.CurrentEpoch;

    /// <summary>The number of optimizer steps taken so far.</summary>
    public long GlobalStep => context.GlobalStep;

    /// <summary>The number of training batches this epoch runs (after <see cref="TrainerOptions.LimitTrainBatches"/>).</summary>
    public int BatchesPerEpoch => batchLimit;

    /// <summary>The optimizers the module configured, in order.</summary>
    public IReadOnlyList<optim.Optimizer> Optimizers => context.Optimizers;

    /// <summary>
    /// The batch index the current epoch starts at: 0, or after a mid-epoch resume the batch after the
    /// last one the checkpoint saw.
    /// </summary>
    public int FirstBatchIndex { get; private set; }

    /// <summary>
    /// Takes ownership of the optimizer returned by the module's <c>[ConfigureOptimizers]</c> method
    /// (and of its scheduler); both are disposed when fitting ends.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="scheduler">Its scheduler configuration, or null.</param>
    /// <exception cref="ArgumentException">The scheduler configuration is invalid (for example ReduceLROnPlateau without a monitor).</exception>
    public void AttachOptimizer(optim.Optimizer optimizer, SchedulerConfig? scheduler = null)
    {
        if (optimizer is null)
        {
            throw new InvalidOperationException("The module's [ConfigureOptimizers] method returned null; it must return an optimizer.");
        }

        if (scheduler?.Problem() is { } problem)
        {
            throw new ArgumentException($"[ConfigureOptimizers]: {problem}.");
        }

        context.Optimizers.Add(optimizer);
        if (scheduler is not null)
        {
            context.Schedulers.Add(new ScheduledOptimizer(scheduler, context.Optimizers.Count - 1));
        }
    }

    /// <summary>
    /// Switches the loop to manual optimization (Lightning's <c>automatic_optimization = False</c>): the
    /// step calls <c>ManualBackward</c> and the optimizers itself, and each batch counts as one step.
    /// </summary>
    /// <exception cref="ArgumentException">AccumulateGradBatches or GradientClipVal is set; both need automatic optimization.</exception>
    public void BeginManualOptimization()
    {
        var options = context.Options;
        var conflicts = new List<string>();
        if (options.AccumulateGradBatches != 1)
        {
            conflicts.Add($"AccumulateGradBatches is {options.AccumulateGradBatches}");
        }

        if (options.GradientClipVal is > 0)
        {
            conflicts.Add($"GradientClipVal is {options.GradientClipVal}");
        }

        if (conflicts.Count > 0)
        {
            throw new ArgumentException(
                string.Join(" and ", conflicts) + ", but the module uses manual optimization ([TrainingStep(AutomaticOptimization = false)]), "
                + "where the step itself decides when to step and clip; remove the option(s) or accumulate and clip in the step.");
        }

        manual = true;
        context.ModuleState.ManualBackwardHandler = loss =>
        {
            BeforeBackward(loss);
            context.Precision.Backward(loss);
            AfterBackward();
        };
        context.ModuleState.ManualStepHandler = optimizer =>
        {
            context.Strategy.ReduceGradients(optimizer);
            context.Precision.UnscaleGradients(optimizer);
            BeforeOptimizerStep(optimizer);
            return context.Precision.OptimizerStep(optimizer);
        };
    }

    /// <summary>Attaches several optimizers (manual optimization), in order.</summary>
    /// <param name="optimizers">The optimizers.</param>
    public void AttachOptimizers(params optim.Optimizer[] optimizers)
    {
        foreach (var optimizer in optimizers)
        {
            AttachOptimizer(optimizer);
        }
    }

    /// <summary>Starts the next epoch, or returns false when fitting is done (epoch or step limit, or a stop request).</summary>
    /// <returns>True when an epoch starts.</returns>
    public bool BeginEpoch()
    {
        CloseEpoch();
        if (context.PendingOptimizerStates is { } pending)
        {
            // Resume: replay the schedulers' steps from the initial rates, then load the optimizers' state.
            pending.Restore(context);
            context.PendingOptimizerStates = null;
        }

        var maxEpochs = context.Options.EffectiveMaxEpochs;
        if (StopRequested()
            || (maxEpochs is { } limit && context.CurrentEpoch >= limit)
            || StepLimitReached())
        {
            return false;
        }

        context.NextBatchIndex = context.ResumeBatchIndex;
        Interruption.ThrowIfRequested(context);

        // Overfitting reuses epoch 0's batches every epoch (Lightning turns shuffling off instead).
        var overfitting = context.Options.OverfitBatches.Count is > 0 || context.Options.OverfitBatches.Fraction is > 0;
        epochBatches = data.OpenEpoch(overfitting ? 0 : context.CurrentEpoch, context.ShuffleSeed);
        batchLimit = context.Options.LimitTrainBatches.Resolve(epochBatches.Count);
        context.TrainBatchesThisEpoch = batchLimit;
        epochOpen = true;
        FirstBatchIndex = context.ResumeBatchIndex;
        context.ResumeBatchIndex = 0;
        context.NextBatchIndex = FirstBatchIndex;
        context.EpochFinished = false;
        Metrics.ResetEpoch();
        context.ModuleState.Metrics = Metrics;
        context.EpochLinePending = true;
        context.Progress.OnTrainEpochStart(context.CurrentEpoch, maxEpochs, batchLimit);
        context.ForEachCallback(static (callback, c) => callback.OnTrainEpochStart(c));
        return true;
    }

    /// <summary>Returns true when batch <paramref name="batchIndex"/> should run.</summary>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    public bool BeginBatch(int batchIndex)
    {
        Interruption.ThrowIfRequested(context);
        if (batchIndex >= batchLimit || StopRequested() || StepLimitReached())
        {
            return false;
        }

        context.ModuleState.Metrics = Metrics;
        Metrics.BeginStep();
        steppedThisBatch = manual;
        var callbacks = context.Callbacks;
        for (var i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].OnTrainBatchStart(context.CallbackContext, batchIndex);
        }

        return true;
    }

    /// <summary>
    /// True when batch <paramref name="batchIndex"/> opens an accumulation window, so gradients are
    /// zeroed first. Windows are aligned to the start of each epoch.
    /// </summary>
    public bool StartsAccumulationWindow(int batchIndex) => batchIndex % context.Options.AccumulateGradBatches == 0;

    /// <summary>
    /// The loss that backward runs on: divided by <see cref="TrainerOptions.AccumulateGradBatches"/>
    /// (the same tensor when there is no accumulation).
    /// </summary>
    public Tensor ScaleForAccumulation(Tensor loss)
        => context.Options.AccumulateGradBatches == 1 ? loss : loss / context.Options.AccumulateGradBatches;

    /// <summary>
    /// True when the optimizer steps after batch <paramref name="batchIndex"/>: at the end of each
    /// accumulation window and on the epoch's last batch (a short final window still steps).
    /// </summary>
    public bool ShouldStepOptimizer(int batchIndex)
    {
        steppedThisBatch = (batchIndex + 1) % context.Options.AccumulateGradBatches == 0 || batchIndex + 1 >= batchLimit;
        return steppedThisBatch;
    }

    /// <summary>Clips the gradients of <paramref name="optimizer"/>'s parameters when <see cref="TrainerOptions.GradientClipVal"/> is set.</summary>
    public void ClipGradients(optim.Optimizer optimizer)
    {
        if (context.Options.GradientClipVal is not { } clip || clip <= 0)
        {
            return;
        }

        if (context.Options.GradientClipAlgorithm == GradientClipAlgorithm.Norm)
        {
            nn.utils.clip_grad_norm_(optimizer.parameters(), clip);
        }
        else
        {
            nn.utils.clip_grad_value_(optimizer.parameters(), clip);
        }
    }

    /// <summary>
    /// True when validation runs after batch <paramref name="batchIndex"/>: in epochs allowed by
    /// <see cref="TrainerOptions.CheckValEveryNEpoch"/>, every <see cref="TrainerOptions.ValCheckInterval"/>
    /// batches (by default after the epoch's last batch).
    /// </summary>
    public bool ShouldValidateAfterBatch(int batchIndex)
    {
        var options = context.Options;
        if (options.LimitValBatches.Count == 0 || options.LimitValBatches.Fraction == 0)
        {
            return false;
        }

        if (options.CheckValEveryNEpoch is { } everyN)
        {
            if ((context.CurrentEpoch + 1) % everyN != 0)
            {
                return false;
            }

            var interval = options.ValCheckInterval.Count ?? Math.Max(1, (int)Math.Floor(batchLimit * (options.ValCheckInterval.Fraction ?? 1.0)));
            return (batchIndex + 1) % interval == 0;
        }

        // Without epoch gating, an int interval counts batches across epochs.
        return context.TotalTrainBatches % options.ValCheckInterval.Count!.Value == 0;
    }

    /// <summary>
    /// Starts the sanity check (Lightning's <c>num_sanity_val_steps</c>): returns true when a few
    /// validation batches should run before training. Their metrics are discarded and torch's random
    /// state is restored afterwards by <see cref="EndSanityCheck"/>.
    /// </summary>
    public bool BeginSanityCheck()
    {
        var options = context.Options;
        if (options.NumSanityValSteps == 0 || options.LimitValBatches.Count == 0 || options.LimitValBatches.Fraction == 0 || context.Resumed)
        {
            return false;
        }

        sanityRngState = torch.get_rng_state().DetachFromDisposeScope();
        context.SanityChecking = true;
        return true;
    }

    /// <summary>Ends the sanity check: restores torch's random state.</summary>
    public void EndSanityCheck()
    {
        context.SanityChecking = false;
        if (sanityRngState is not null)
        {
            torch.set_rng_state(sanityRngState);
            sanityRngState.Dispose();
            sanityRngState = null;
        }
    }

    /// <summary>Calls the callbacks' <see cref="Callback.OnBeforeBackward"/>.</summary>
    /// <param name="loss">The loss backward will run on.</param>
    public void BeforeBackward(Tensor loss)
    {
        if (loss is null)
        {
            throw new InvalidOperationException("The module's [TrainingStep] returned null; it must return the loss tensor.");
        }

        this.loss.Observe(loss, context);

        var callbacks = context.Callbacks;
        for (var i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].OnBeforeBackward(context.CallbackContext, loss);
        }
    }

    /// <summary>Calls the callbacks' <see cref="Callback.OnAfterBackward"/>.</summary>
    public void AfterBackward()
    {
        var callbacks = context.Callbacks;
        for (var i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].OnAfterBackward(context.CallbackContext);
        }
    }

    /// <summary>Calls the callbacks' <see cref="Callback.OnBeforeOptimizerStep"/>.</summary>
    /// <param name="optimizer">The optimizer about to step.</param>
    public void BeforeOptimizerStep(optim.Optimizer optimizer)
    {
        var callbacks = context.Callbacks;
        for (var i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].OnBeforeOptimizerStep(context.CallbackContext, optimizer);
        }
    }

    /// <summary>Creates the batch (in the caller's dispose scope).</summary>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    public TBatch GetBatch(int batchIndex)
        => (epochBatches ?? throw new InvalidOperationException("GetBatch was called before BeginEpoch.")).GetBatch(batchIndex);

    /// <summary>Counts the optimizer step and sends step metrics to loggers every <see cref="TrainerOptions.LogEveryNSteps"/> steps.</summary>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    public void EndBatch(int batchIndex)
    {
        context.TotalTrainBatches++;
        context.NextBatchIndex = batchIndex + 1;
        if (!steppedThisBatch)
        {
            // An accumulating batch: no optimizer step, no step count, no step metrics.
            NotifyBatchEnd(batchIndex);
            return;
        }

        steppedThisBatch = false;
        context.Precision.EndIteration();
        var logEvery = context.Options.LogEveryNSteps;
        if (logEvery > 0 && context.Loggers.Count > 0 && (context.GlobalStep + 1) % logEvery == 0)
        {
            stepValues.Clear();
            Metrics.CollectStepValues(stepValues, progressBarOnly: false, currentStepOnly: true);
            if (stepValues.Count > 0)
            {
                stepValues["epoch"] = context.CurrentEpoch;
                context.LogMetrics(stepValues, context.GlobalStep);
            }
        }

        context.GlobalStep++;
        StepSchedulersAfterOptimizerStep(batchIndex);
        NotifyBatchEnd(batchIndex);
    }

    /// <summary>
    /// Lightning's rule: step-interval schedulers step when (batch index + 1) % frequency == 0; epoch-interval
    /// ones on the epoch's last batch when (epoch + 1) % frequency == 0. Plateau schedulers wait for the epoch end.
    /// </summary>
    private void StepSchedulersAfterOptimizerStep(int batchIndex)
    {
        if (manual)
        {
            // Lightning: under manual optimization the step itself steps its schedulers.
            return;
        }

        var lastBatch = batchIndex + 1 >= batchLimit;
        foreach (var scheduled in context.Schedulers)
        {
            var config = scheduled.Config;
            if (config.IsPlateau)
            {
                continue;
            }

            var due = config.Interval == SchedulerInterval.Step
                ? (batchIndex + 1) % config.Frequency == 0
                : lastBatch && (context.CurrentEpoch + 1) % config.Frequency == 0;
            if (due)
            {
                config.Scheduler.step();
                scheduled.Steps++;
            }
        }
    }

    private void StepPlateauSchedulers()
    {
        if (manual)
        {
            return;
        }

        foreach (var scheduled in context.Schedulers)
        {
            var config = scheduled.Config;
            if (!config.IsPlateau || (context.CurrentEpoch + 1) % config.Frequency != 0)
            {
                continue;
            }

            if (!context.CallbackMetrics.TryGetValue(config.Monitor!, out var value))
            {
                if (config.Strict)
                {
                    throw new InvalidOperationException(
                        $"ReduceLROnPlateau monitors '{config.Monitor}', which was not logged by the end of epoch {context.CurrentEpoch}. Logged metrics: "
                        + string.Join(", ", context.CallbackMetrics.Keys.Order(StringComparer.Ordinal)) + ". Log it, or set SchedulerConfig.Strict = false to skip such steps.");
                }

                continue;
            }

            config.Scheduler.step(value);
            scheduled.Steps++;
        }
    }

    private void NotifyBatchEnd(int batchIndex)
    {
        context.Progress.OnTrainBatchEnd(batchIndex, batchLimit, Metrics, loss);
        var callbacks = context.Callbacks;
        for (var i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].OnTrainBatchEnd(context.CallbackContext, batchIndex);
        }
    }


    /// <summary>Aggregates the epoch's training metrics, reports the epoch and advances the epoch counter.</summary>
    public void EndEpoch()
    {
        context.ModuleState.Metrics = Metrics;
        var step = Math.Max(0, context.GlobalStep - 1);
        context.PublishEpoch(Metrics, step, addEpochKey: true);
        Metrics.CollectStepValues(context.ProgressBarMetrics, progressBarOnly: true, currentStepOnly: false);
        context.Progress.OnTrainEpochEnd(context.CurrentEpoch, context.Options.EffectiveMaxEpochs, context.ProgressBarMetrics, loss);
        context.PrintPendingStopReason();
        Metrics.ResetMetricObjects();
        context.EpochFinished = true;
        context.ForEachCallback(static (callback, c) => callback.OnTrainEpochEnd(c));
        StepPlateauSchedulers();
        CloseEpoch();
        context.CurrentEpoch++;
        context.EpochFinished = false;
    }

    /// <summary>Frees the epoch's data, the metric accumulators and the optimizers.</summary>
    public void Dispose()
    {
        // An epoch that ended by an exception prints no line; its stop reason must not be lost.
        context.PrintPendingStopReason();
        CloseEpoch();
        Metrics.Dispose();
        loss.Dispose();
        foreach (var optimizer in context.Optimizers)
        {
            optimizer.Dispose();
        }

        context.Optimizers.Clear();
        context.Schedulers.Clear();
        context.ModuleState.ManualBackwardHandler = null;
        context.ModuleState.ManualStepHandler = null;
    }

    /// <summary>A stop request counts only once <see cref="TrainerOptions.MinEpochs"/> epochs are done (Lightning's rule).</summary>
    private bool StopRequested() => context.ReduceShouldStop() && context.CurrentEpoch >= context.Options.MinEpochs;

    private bool StepLimitReached() => context.Options.MaxSteps >= 0 && context.GlobalStep >= context.Options.MaxSteps;

    private void CloseEpoch()
    {
        if (epochOpen)
        {
            epochBatches?.Dispose();
            epochBatches = null;
            epochOpen = false;
        }
    }
}
