using System.Linq;
using Volt.Callbacks;

namespace Volt.Loops;

/// <summary>What the fit loop does at a batch boundary after SIGINT or SIGTERM: save last.ckpt at the exact position and stop.</summary>
internal static class Interruption
{
    /// <exception cref="TrainingInterruptedException">A signal was received; the message says where the checkpoint is and how to resume.</exception>
    public static void ThrowIfRequested(RunContext context)
    {
        if (context.Interrupts?.Requested is not { } signal)
        {
            return;
        }

        string? path = null;
        foreach (var checkpoint in context.Callbacks.OfType<ModelCheckpoint>())
        {
            path ??= checkpoint.SaveLastAtInterrupt(context.CallbackContext);
        }

        var where = $"in epoch {context.CurrentEpoch} before batch {context.LoopProgress.NextBatchIndex} (global step {context.GlobalStep})";
        var message = path is null
            ? $"Training was interrupted by {InterruptSignals.Name(signal)} {where}. No checkpoint was written: no ModelCheckpoint saves last.ckpt."
            : $"Training was interrupted by {InterruptSignals.Name(signal)} {where}. The exact position is saved in {path}; resume with Fit(..., ckptPath: \"{path}\").";
        throw new TrainingInterruptedException(signal, path, message);
    }
}
