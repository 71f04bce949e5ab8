using System;

namespace Volt.Tuning;

/// <summary>
/// Thrown inside a batch-size trial when a training step holds more tensor bytes than the finder's explicit
/// memory limit (the CPU stand-in for CUDA's out-of-memory error).
/// </summary>
public sealed class TensorMemoryLimitExceededException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="measuredBytes">What the step held (<see cref="StepTensorBytes"/>).</param>
    /// <param name="limitBytes">The limit.</param>
    public TensorMemoryLimitExceededException(long measuredBytes, long limitBytes)
        : base($"The training step holds {measuredBytes:N0} bytes of tensors, more than the batch-size finder's memory limit of {limitBytes:N0} bytes.")
    {
        MeasuredBytes = measuredBytes;
        LimitBytes = limitBytes;
    }

    /// <summary>What the step held.</summary>
    public long MeasuredBytes { get; }

    /// <summary>The limit.</summary>
    public long LimitBytes { get; }
}
