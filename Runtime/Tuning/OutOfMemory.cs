using System;
using System.Runtime.InteropServices;

namespace Volt.Tuning;

/// <summary>
/// Tells out-of-memory failures from other errors (Lightning's <c>is_oom_error</c>,
/// src/lightning/pytorch/utilities/memory.py). TorchSharp reports libtorch errors as
/// <see cref="ExternalException"/> carrying libtorch's message, so CUDA's "CUDA out of memory", cuDNN's
/// CUDNN_STATUS_NOT_SUPPORTED (what cuDNN raises for batches too large for it) and the CPU allocator's failure are
/// recognised by their text; the finder's own <see cref="TensorMemoryLimitExceededException"/> and .NET's
/// <see cref="OutOfMemoryException"/> count too.
/// </summary>
public static class OutOfMemory
{
    /// <summary>True when <paramref name="error"/> means the trial ran out of memory.</summary>
    /// <param name="error">The error a trial threw.</param>
    public static bool IsOutOfMemory(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (error is TensorMemoryLimitExceededException or OutOfMemoryException)
        {
            return true;
        }

        if (error is not ExternalException)
        {
            return false;
        }

        var message = error.Message;
        return (message.Contains("CUDA", StringComparison.Ordinal) && message.Contains("out of memory", StringComparison.Ordinal))
            || message.Contains("cuDNN error: CUDNN_STATUS_NOT_SUPPORTED.", StringComparison.Ordinal)
            || message.Contains("DefaultCPUAllocator: can't allocate memory", StringComparison.Ordinal);
    }
}
