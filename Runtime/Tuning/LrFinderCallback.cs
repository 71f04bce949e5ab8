using System;
using System.Collections.Generic;
using System.Globalization;
using Volt.Callbacks;
using static TorchSharp.torch;

namespace Volt.Tuning;

/// <summary>
/// Drives one learning-rate sweep inside a fit (Lightning's <c>_LRCallback</c> plus its scheduler): before each
/// optimizer step it sets every parameter group to the sweep's rate for that step, and after the batch it records
/// the rate and the smoothed loss and stops the fit once the loss diverges.
/// </summary>
internal sealed class LrFinderCallback(LrSweep sweep, double? earlyStopThreshold) : Callback
{
    /// <summary>Lightning's smoothing factor: the recorded loss is an exponential moving average with this weight on the past.</summary>
    private const double Beta = 0.98;

    private readonly List<double> lrs = [];
    private readonly List<double> losses = [];
    private double averageLoss;
    private double bestLoss;
    private double lastLoss = double.NaN;
    private double? stepLr;

    /// <summary>The rate of each recorded optimizer step.</summary>
    public IReadOnlyList<double> Lrs => lrs;

    /// <summary>The smoothed loss after each recorded optimizer step.</summary>
    public IReadOnlyList<double> Losses => losses;

    /// <summary>Why the sweep stopped before <see cref="LrSweep.NumTraining"/> steps, or null.</summary>
    public string? StopReason { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBatchStart(CallbackContext context, int batchIndex) => lastLoss = double.NaN;

    /// <inheritdoc/>
    public override void OnBeforeBackward(CallbackContext context, Tensor loss)
    {
        using var value = loss.detach().to_type(ScalarType.Float64);
        lastLoss = value.item<double>();
    }

    /// <inheritdoc/>
    public override void OnBeforeOptimizerStep(CallbackContext context, optim.Optimizer optimizer)
    {
        if (context.Optimizers.Count != 1)
        {
            throw new InvalidOperationException(
                $"The learning-rate finder works with exactly one optimizer, but [ConfigureOptimizers] of {context.Module.Module.GetType().Name} returned {context.Optimizers.Count}.");
        }

        var lr = sweep.LearningRateAt(context.GlobalStep);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = lr;
        }

        stepLr = lr;
    }

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(CallbackContext context, int batchIndex)
    {
        if (stepLr is not { } lr)
        {
            // An accumulating batch: no optimizer step, nothing to record (Lightning records only stepping batches).
            return;
        }

        stepLr = null;

        // Lightning's bias correction uses the step count after the increment, plus one.
        var step = context.GlobalStep;
        averageLoss = (Beta * averageLoss) + ((1 - Beta) * lastLoss);
        var smoothed = averageLoss / (1 - Math.Pow(Beta, step + 1));
        if (!double.IsFinite(smoothed))
        {
            Stop(context, $"the loss became {lastLoss.ToString(CultureInfo.InvariantCulture)} at learning rate {lr.ToString("G3", CultureInfo.InvariantCulture)}");
        }
        else if (earlyStopThreshold is { } threshold && step > 1 && smoothed > threshold * bestLoss)
        {
            Stop(context, $"the smoothed loss {smoothed.ToString("G4", CultureInfo.InvariantCulture)} exceeded {threshold.ToString(CultureInfo.InvariantCulture)} × the best {bestLoss.ToString("G4", CultureInfo.InvariantCulture)}");
        }

        if (smoothed < bestLoss || step == 1)
        {
            bestLoss = smoothed;
        }

        lrs.Add(lr);
        losses.Add(smoothed);
    }

    private void Stop(CallbackContext context, string reason)
    {
        StopReason = reason;
        context.RequestStop(reason);
    }
}
