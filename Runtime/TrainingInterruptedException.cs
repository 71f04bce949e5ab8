using System;
using System.Runtime.InteropServices;

namespace Volt;

/// <summary>
/// Fit stopped on SIGINT (Ctrl+C) or SIGTERM after finishing the current batch. When a
/// <see cref="Callbacks.ModelCheckpoint"/> with <c>SaveLast</c> runs, <see cref="CheckpointPath"/> holds the
/// exact position, and <c>Fit(..., ckptPath: CheckpointPath)</c> continues as if nothing had happened.
/// Applications exit with <see cref="ExitCode"/> (130 for SIGINT, 143 for SIGTERM, the shell's convention).
/// </summary>
public sealed class TrainingInterruptedException : OperationCanceledException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="signal">The signal that interrupted training.</param>
    /// <param name="checkpointPath">The checkpoint written at the interruption, or null.</param>
    /// <param name="message">What happened and how to resume.</param>
    public TrainingInterruptedException(PosixSignal signal, string? checkpointPath, string message)
        : base(message)
    {
        Signal = signal;
        CheckpointPath = checkpointPath;
    }

    /// <summary>The signal: <see cref="PosixSignal.SIGINT"/> or <see cref="PosixSignal.SIGTERM"/>.</summary>
    public PosixSignal Signal { get; }

    /// <summary>The checkpoint written at the interruption, or null when no checkpoint callback saves <c>last.ckpt</c>.</summary>
    public string? CheckpointPath { get; }

    /// <summary>The conventional process exit code: 128 plus the signal number (130 for SIGINT, 143 for SIGTERM).</summary>
    public int ExitCode => Signal == PosixSignal.SIGTERM ? 143 : 130;
}
