using System;
using System.Collections.Generic;
using TorchSharp;
using Volt.Callbacks;
using Volt.Data;
using Volt.Logging;
using Volt.Precision;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Loops;

/// <summary>
/// The runtime services the generated fit loop calls, in this order per epoch:
/// <see cref="BeginEpoch"/>, then for each batch <see cref="BeginBatch"/>, <see cref="GetBatch"/>,
/// the step, <see cref="EndBatch"/>; then validation when <see cref="ShouldValidate"/>; then
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
    private bool epochOpen;

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
    /// Takes ownership of the optimizer returned by the module's <c>[ConfigureOptimizers]</c> method;
    /// it is disposed when fitting ends.
    /// </summary>
    /// <param name="optimizer">The optimizer.</param>
    public void AttachOptimizer(optim.Optimizer optimizer)
    {
        if (optimizer is null)
        {
            throw new InvalidOperationException("The module's [ConfigureOptimizers] method returned null; it must return an optimizer.");
        }

        var index = context.Optimizers.Count;
        context.Optimizers.Add(optimizer);
        context.PendingOptimizerStates?.Restore(index, optimizer);
    }

    /// <summary>Starts the next epoch, or returns false when fitting is done (epoch or step limit, or a stop request).</summary>
    /// <returns>True when an epoch starts.</returns>
    public bool BeginEpoch()
    {
        CloseEpoch();
        var maxEpochs = context.Options.EffectiveMaxEpochs;
        if (context.ShouldStop
            || (maxEpochs is { } limit && context.CurrentEpoch >= limit)
            || StepLimitReached())
        {
            return false;
        }

        epochBatches = data.OpenEpoch(context.CurrentEpoch, context.ShuffleSeed);
        batchLimit = context.Options.LimitTrainBatches.Resolve(epochBatches.Count);
        epochOpen = true;
        FirstBatchIndex = context.ResumeBatchIndex;
        context.ResumeBatchIndex = 0;
        context.NextBatchIndex = FirstBatchIndex;
        context.EpochFinished = false;
        Metrics.ResetEpoch();
        context.ModuleState.Metrics = Metrics;
        context.Progress.OnTrainEpochStart(context.CurrentEpoch, maxEpochs, batchLimit);
        context.ForEachCallback(static (callback, c) => callback.OnTrainEpochStart(c));
        return true;
    }

    /// <summary>Returns true when batch <paramref name="batchIndex"/> should run.</summary>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    public bool BeginBatch(int batchIndex)
    {
        if (batchIndex >= batchLimit || context.ShouldStop || StepLimitReached())
        {
            return false;
        }

        context.ModuleState.Metrics = Metrics;
        Metrics.BeginStep();
        var callbacks = context.Callbacks;
        for (var i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].OnTrainBatchStart(context.CallbackContext, batchIndex);
        }

        return true;
    }

    /// <summary>Calls the callbacks' <see cref="Callback.OnBeforeBackward"/>.</summary>
    /// <param name="loss">The loss backward will run on.</param>
    public void BeforeBackward(Tensor loss)
    {
        if (loss is null)
        {
            throw new InvalidOperationException("The module's [TrainingStep] returned null; it must return the loss tensor.");
        }

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
        context.NextBatchIndex = batchIndex + 1;
        context.Progress.OnTrainBatchEnd(batchIndex, batchLimit, Metrics);
        var callbacks = context.Callbacks;
        for (var i = 0; i < callbacks.Count; i++)
        {
            callbacks[i].OnTrainBatchEnd(context.CallbackContext, batchIndex);
        }
    }

    /// <summary>True when this epoch ends with a validation run.</summary>
    public bool ShouldValidate => context.Options.LimitValBatches.Resolve(int.MaxValue) > 0;

    /// <summary>Aggregates the epoch's training metrics, reports the epoch and advances the epoch counter.</summary>
    public void EndEpoch()
    {
        context.ModuleState.Metrics = Metrics;
        var step = Math.Max(0, context.GlobalStep - 1);
        context.PublishEpoch(Metrics, step, addEpochKey: true);
        Metrics.CollectStepValues(context.ProgressBarMetrics, progressBarOnly: true, currentStepOnly: false);
        context.Progress.OnTrainEpochEnd(context.CurrentEpoch, context.Options.EffectiveMaxEpochs, context.ProgressBarMetrics);
        context.EpochFinished = true;
        context.ForEachCallback(static (callback, c) => callback.OnTrainEpochEnd(c));
        CloseEpoch();
        context.CurrentEpoch++;
        context.EpochFinished = false;
    }

    /// <summary>Frees the epoch's data, the metric accumulators and the optimizers.</summary>
    public void Dispose()
    {
        CloseEpoch();
        Metrics.Dispose();
        foreach (var optimizer in context.Optimizers)
        {
            optimizer.Dispose();
        }

        context.Optimizers.Clear();
    }

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
