using System;

namespace Volt;

/// <summary>
/// Training stopped because a value became NaN or infinite: the training loss (see
/// <see cref="TrainerOptions.StopOnNonFiniteLoss"/>) or the weights a checkpoint was about to store.
/// The message names the epoch, batch and global step; checkpoints written before are kept.
/// </summary>
public sealed class NonFiniteTrainingException : ArithmeticException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was not finite, and where.</param>
    public NonFiniteTrainingException(string message)
        : base(message)
    {
    }
}
