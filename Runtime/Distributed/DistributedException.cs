using System;

namespace Volt.Distributed;

/// <summary>
/// Data-parallel training cannot start or a collective failed: the MPI or NCCL library is missing, the
/// launcher's process count disagrees with the options, or a collective got a tensor it cannot carry.
/// The message names the library, setting or tensor at fault.
/// </summary>
public sealed class DistributedException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    public DistributedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="inner">The underlying error.</param>
    public DistributedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
