using System;
using Volt.Callbacks;

namespace Volt.Tuning;

/// <summary>
/// Measures every training step of a batch-size trial with <see cref="StepTensorBytes"/> at the end of the batch
/// (inside the step's dispose scope, where everything the step created is still alive) and throws
/// <see cref="TensorMemoryLimitExceededException"/> when a limit is set and exceeded.
/// </summary>
internal sealed class TensorMemoryBudget(long? limitBytes) : Callback
{
    /// <summary>The largest measure so far, or null before the first batch ended.</summary>
    public long? PeakBytes { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(CallbackContext context, int batchIndex)
    {
        var bytes = StepTensorBytes.Measure(context.Module.Module);
        PeakBytes = Math.Max(PeakBytes ?? 0, bytes);
        if (limitBytes is { } limit && bytes > limit)
        {
            throw new TensorMemoryLimitExceededException(bytes, limit);
        }
    }
}
