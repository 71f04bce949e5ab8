using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using TorchSharp;
using Volt.Callbacks;
using Volt.Data;
using Volt.Logging;
using Volt.Precision;
using Volt.Profiling;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Loops;

/// <summary>
/// The runtime services the generated fit loop calls: an optional sanity check
/// (<see cref="BeginSanityCheck"/>), then per epoch <see cref="BeginEpoch"/>, for each batch
/// <see cref="BeginBatch"/>, <see cref="GetBatch"/>, the step with its accumulation and clipping
/// decisions, <see cref="EndBatch"/> and validation when <see cref="ShouldValidateAfterBatch"/>; then
/// <see cref="EndEpoch"/>. It runs the stop conditions, metrics and progress output and hands the
/// rest to its parts: the counters (<see cref="LoopProgress"/>), the validation schedule
/// (<see cref="ValidationSchedule"/>), scheduler stepping (<see cref="SchedulerStepper"/>) and the callbacks'
/// hooks (<see cref="CallbackDispatcher"/>). The order of tensor work stays in the generated code.
/// </summary>
/// <typeparam name="TBatch">The training batch type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class FitLoop<TBatch> : IDisposable
{
    private readonly RunContext context;
    private readonly IDataLoader<TBatch> data;
    private readonly LoopProgress progress;
    private readonly ValidationSchedule validation;
    private readonly Dictionary<string, double> stepValues = new(StringComparer.Ordinal);
    private IEpochBatches<TBatch>? epochBatches;
    private bool manual;
    private bool epochOpen;
    private readonly TrainingLoss loss = new();
    private readonly SimpleProfiler? profiler;
    private long epochStarted;
    private long batchStarted;

    internal FitLoop(RunContext context, IDataLoader<TBatch> data)
    {
        this.context = context;
        this.data = data;
        progress = context.LoopProgress;
        validation = new ValidationSchedule(context.Options);
        Metrics = new MetricCollector(RunPhase.Train);
        profiler = context.Profiler;
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
    public int BatchesPerEpoch => progress.TrainBatchesThisEpoch;

    /// <summary>The optimizers the module configured, in order.</summary>
    public IReadOnlyList<optim.Optimizer> Optimizers => context.Optimizers;

    /// <summary>
    /// The batch index the current epoch starts at: 0, or after a mid-epoch resume the batch after the
    /// last one the checkpoint saw.
    /// </summary>
    public int FirstBatchIndex => progress.FirstBatchIndex;

    /// <summary>
    /// Times <paramref name="action"/> until the returned scope is disposed (<see cref="TrainerOptions.Profiler"/>);
    /// with the profiler off the scope does nothing and allocates nothing.
    /// </summary>
    /// <param name="action">The part of the step the <c>using</c> block runs.</param>
    public ProfileScope Profile(ProfiledAction action) => ProfileScope.Start(profiler, action);

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
            context.Schedulers.Add(scheduler, context.Optimizers.Count - 1);
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

        context.Schedulers.ManualOptimization = true;
        manual = true;
        context.ModuleState.ManualBackwardHandler = loss =>
        {
            BeforeBackward(loss);
            using (Profile(ProfiledAction.Backward))
            {
                context.Precision.Backward(loss);
            }

            AfterBackward();
        };
        context.ModuleState.ManualStepHandler = optimizer =>
        {
            using var step = Profile(ProfiledAction.OptimizerStep);
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
            || (maxEpochs is { } limit && progress.CurrentEpoch >= limit)
            || StepLimitReached())
        {
            return false;
        }

        // The epoch starts at the resume batch (or 0) before the interrupt check, so an interrupt here saves that position.
        epochStarted = profiler is null ? 0 : Stopwatch.GetTimestamp();
        progress.StartEpoch();
        Interruption.ThrowIfRequested(context);

        // Overfitting reuses epoch 0's batches every epoch (Lightning turns shuffling off instead).
        var overfitting = context.Options.OverfitBatches.Count is > 0 || context.Options.OverfitBatches.Fraction is > 0;
        epochBatches = data.OpenEpoch(overfitting ? 0 : progress.CurrentEpoch, context.ShuffleSeed);
        var batches = context.Options.LimitTrainBatches.Resolve(epochBatches.Count);
        progress.SetEpochLength(batches);
        epochOpen = true;
        Metrics.ResetEpoch();
        context.ModuleState.Metrics = Metrics;
        context.EpochLinePending = true;
        context.Progress.OnTrainEpochStart(progress.CurrentEpoch, maxEpochs, batches);
        context.Hooks.OnTrainEpochStart();
        return true;
    }

    /// <summary>Returns true when batch <paramref name="batchIndex"/> should run.</summary>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    public bool BeginBatch(int batchIndex)
    {
        Interruption.ThrowIfRequested(context);
        if (batchIndex >= progress.TrainBatchesThisEpoch || StopRequested() || StepLimitReached())
        {
            return false;
        }

        batchStarted = profiler is null ? 0 : Stopwatch.GetTimestamp();
        context.ModuleState.Metrics = Metrics;
        Metrics.BeginStep();
        context.Hooks.OnTrainBatchStart(batchIndex);
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
        => (batchIndex + 1) % context.Options.AccumulateGradBatches == 0 || IsLastBatch(batchIndex);

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
        => validation.ValidatesAfterBatch(progress.CurrentEpoch, batchIndex, progress.TrainBatchesThisEpoch, progress.TotalTrainBatches);

    /// <summary>
    /// Starts the sanity check (Lightning's <c>num_sanity_val_steps</c>): returns true when a few
    /// validation batches should run before training. Their metrics are discarded and torch's random
    /// state is restored afterwards by <see cref="EndSanityCheck"/>.
    /// </summary>
    public bool BeginSanityCheck()
    {
        if (!validation.BeginSanityCheck(context.Resumed))
        {
            return false;
        }

        context.SanityChecking = true;
        return true;
    }

    /// <summary>Ends the sanity check: restores torch's random state.</summary>
    public void EndSanityCheck()
    {
        context.SanityChecking = false;
        validation.EndSanityCheck();
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
        context.Hooks.OnBeforeBackward(loss);
    }

    /// <summary>Calls the callbacks' <see cref="Callback.OnAfterBackward"/>.</summary>
    public void AfterBackward() => context.Hooks.OnAfterBackward();

    /// <summary>Calls the callbacks' <see cref="Callback.OnBeforeOptimizerStep"/>.</summary>
    /// <param name="optimizer">The optimizer about to step.</param>
    public void BeforeOptimizerStep(optim.Optimizer optimizer) => context.Hooks.OnBeforeOptimizerStep(optimizer);

    /// <summary>Creates the batch (in the caller's dispose scope).</summary>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    public TBatch GetBatch(int batchIndex)
    {
        var batches = epochBatches ?? throw new InvalidOperationException("GetBatch was called before BeginEpoch.");
        using var fetch = Profile(ProfiledAction.TrainingDataFetch);
        return batches.GetBatch(batchIndex);
    }

    /// <summary>Counts the batch and, when the optimizer stepped on it, the optimizer step; sends step metrics to loggers every <see cref="TrainerOptions.LogEveryNSteps"/> steps.</summary>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    public void EndBatch(int batchIndex)
    {
        progress.CompleteBatch(batchIndex);
        if (!manual && !ShouldStepOptimizer(batchIndex))
        {
            // An accumulating batch: no optimizer step, no step count, no step metrics.
            NotifyBatchEnd(batchIndex);
            return;
        }

        context.Precision.EndIteration();
        LogStepMetrics();
        progress.CompleteOptimizerStep();
        context.Schedulers.AfterOptimizerStep(progress.CurrentEpoch, batchIndex, IsLastBatch(batchIndex));
        NotifyBatchEnd(batchIndex);
    }

    private bool IsLastBatch(int batchIndex) => batchIndex + 1 >= progress.TrainBatchesThisEpoch;

    /// <summary>Sends the step's values to the loggers on every <see cref="TrainerOptions.LogEveryNSteps"/>-th optimizer step (counted before this one).</summary>
    private void LogStepMetrics()
    {
        var logEvery = context.Options.LogEveryNSteps;
        if (logEvery <= 0 || context.Loggers.Count == 0 || (progress.GlobalStep + 1) % logEvery != 0)
        {
            return;
        }

        stepValues.Clear();
        Metrics.CollectStepValues(stepValues, progressBarOnly: false, currentStepOnly: true);
        if (stepValues.Count > 0)
        {
            stepValues["epoch"] = progress.CurrentEpoch;
            context.LogMetrics(stepValues, progress.GlobalStep);
        }
    }

    private void NotifyBatchEnd(int batchIndex)
    {
        context.Progress.OnTrainBatchEnd(batchIndex, progress.TrainBatchesThisEpoch, Metrics, loss);
        context.Hooks.OnTrainBatchEnd(batchIndex);
        profiler?.Record(ProfiledAction.TrainingBatch, batchStarted);
    }

    /// <summary>Aggregates the epoch's training metrics, reports the epoch and advances the epoch counter.</summary>
    public void EndEpoch()
    {
        context.ModuleState.Metrics = Metrics;
        var step = Math.Max(0, progress.GlobalStep - 1);
        context.PublishEpoch(Metrics, step, addEpochKey: true);
        Metrics.CollectStepValues(context.ProgressBarMetrics, progressBarOnly: true, currentStepOnly: false);
        context.Progress.OnTrainEpochEnd(progress.CurrentEpoch, context.Options.EffectiveMaxEpochs, context.ProgressBarMetrics, loss);
        context.PrintPendingStopReason();
        Metrics.ResetMetricObjects();
        progress.FinishEpoch();
        context.Hooks.OnTrainEpochEnd();
        context.Schedulers.AtEpochEnd(progress.CurrentEpoch, context.CallbackMetrics);
        CloseEpoch();
        progress.AdvanceEpoch();
        profiler?.Record(ProfiledAction.TrainingEpoch, epochStarted);
    }

    /// <summary>Frees the epoch's data, the metric accumulators and the optimizers.</summary>
    public void Dispose()
    {
        // An epoch that ended by an exception prints no line; its stop reason must not be lost.
        context.PrintPendingStopReason();
        CloseEpoch();
        Metrics.Dispose();
        loss.Dispose();
        validation.Dispose();
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
    private bool StopRequested() => context.ReduceShouldStop() && progress.CurrentEpoch >= context.Options.MinEpochs;

    private bool StepLimitReached() => context.Options.MaxSteps >= 0 && progress.GlobalStep >= context.Options.MaxSteps;

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
