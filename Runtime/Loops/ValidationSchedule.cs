using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Loops;

/// <summary>
/// When validation runs during a fit (Lightning's <c>val_check_interval</c>, <c>check_val_every_n_epoch</c>,
/// <c>limit_val_batches</c> and <c>num_sanity_val_steps</c>; <c>src/lightning/pytorch/loops/fit_loop.py</c> and
/// <c>training_epoch_loop.py</c>): the sanity check before training, which saves and restores torch's random
/// state so training draws the same numbers with or without it, and the decision after each training batch.
/// </summary>
internal sealed class ValidationSchedule : IDisposable
{
    private readonly TrainerOptions options;
    private Tensor? sanityRngState;

    public ValidationSchedule(TrainerOptions options)
    {
        this.options = options;
    }

    /// <summary>Lightning's rule: <c>LimitValBatches = 0</c> (or <c>0.0</c>) turns validation off, the sanity check included.</summary>
    public static bool IsDisabled(TrainerOptions options) => options.LimitValBatches.Count == 0 || options.LimitValBatches.Fraction == 0;

    /// <summary>Lightning's check before a fit: a batch-count ValCheckInterval must fit in an epoch when validation is per epoch.</summary>
    /// <param name="options">The trainer's options.</param>
    /// <param name="trainBatchCount">The training loader's batch count.</param>
    /// <param name="hasValidation">True when the fit has validation data.</param>
    /// <exception cref="ArgumentException">The interval is longer than an epoch; the message names both numbers.</exception>
    public static void CheckFitsEpoch(TrainerOptions options, int trainBatchCount, bool hasValidation)
    {
        var epochBatches = options.LimitTrainBatches.Resolve(trainBatchCount);
        var validationEnabled = hasValidation && !IsDisabled(options);
        if (validationEnabled && options.CheckValEveryNEpoch is not null && options.ValCheckInterval.Count is { } interval && interval > epochBatches)
        {
            throw new ArgumentException(
                $"ValCheckInterval is {interval} batches but an epoch has {epochBatches} training batches (LimitTrainBatches = {options.LimitTrainBatches}); "
                + "use a smaller interval, a fraction, or CheckValEveryNEpoch = null to count batches across epochs.");
        }
    }

    /// <summary>The number of batches a validation run takes: all of <paramref name="batches"/>, or <c>NumSanityValSteps</c> of them in the sanity check (-1 is all).</summary>
    public static int BatchesToRun(TrainerOptions options, int batches, bool sanityChecking)
        => sanityChecking && options.NumSanityValSteps >= 0 ? Math.Min(batches, options.NumSanityValSteps) : batches;

    /// <summary>True when a fit runs the sanity check: <c>NumSanityValSteps</c> is not 0, validation is on, and the fit does not resume.</summary>
    public bool RunsSanityCheck(bool resumed) => options.NumSanityValSteps != 0 && !IsDisabled(options) && !resumed;

    /// <summary>
    /// True when validation runs after batch <paramref name="batchIndex"/> of epoch <paramref name="epoch"/>: in
    /// epochs allowed by <c>CheckValEveryNEpoch</c>, every <c>ValCheckInterval</c> batches of the epoch (by default
    /// after its last batch); with <c>CheckValEveryNEpoch = null</c>, every <c>ValCheckInterval</c> batches counted
    /// across epochs.
    /// </summary>
    /// <param name="epoch">The 0-based epoch.</param>
    /// <param name="batchIndex">The 0-based batch index within the epoch.</param>
    /// <param name="batchesThisEpoch">The number of training batches the epoch runs.</param>
    /// <param name="totalTrainBatches">Training batches run in this fit so far, this one included.</param>
    public bool ValidatesAfterBatch(int epoch, int batchIndex, int batchesThisEpoch, long totalTrainBatches)
    {
        if (IsDisabled(options))
        {
            return false;
        }

        if (options.CheckValEveryNEpoch is { } everyN)
        {
            if ((epoch + 1) % everyN != 0)
            {
                return false;
            }

            var interval = options.ValCheckInterval.Count ?? Math.Max(1, (int)Math.Floor(batchesThisEpoch * (options.ValCheckInterval.Fraction ?? 1.0)));
            return (batchIndex + 1) % interval == 0;
        }

        // Without epoch gating, an int interval counts batches across epochs.
        var acrossEpochs = options.ValCheckInterval.Count
            ?? throw new InvalidOperationException(
                $"ValCheckInterval is {options.ValCheckInterval}, a fraction of an epoch, but CheckValEveryNEpoch is null; give ValCheckInterval as a batch count or set CheckValEveryNEpoch.");
        return totalTrainBatches % acrossEpochs == 0;
    }

    /// <summary>Starts the sanity check when <see cref="RunsSanityCheck"/> says so, saving torch's random state for <see cref="EndSanityCheck"/>.</summary>
    /// <returns>True when the sanity check runs.</returns>
    public bool BeginSanityCheck(bool resumed)
    {
        if (!RunsSanityCheck(resumed))
        {
            return false;
        }

        sanityRngState?.Dispose();
        sanityRngState = torch.get_rng_state().DetachFromDisposeScope();
        return true;
    }

    /// <summary>Ends the sanity check: restores torch's random state saved by <see cref="BeginSanityCheck"/>.</summary>
    public void EndSanityCheck()
    {
        if (sanityRngState is not null)
        {
            torch.set_rng_state(sanityRngState);
            sanityRngState.Dispose();
            sanityRngState = null;
        }
    }

    /// <summary>Frees a random state the sanity check saved but did not restore (it failed).</summary>
    public void Dispose()
    {
        sanityRngState?.Dispose();
        sanityRngState = null;
    }
}
