using System;
using System.Globalization;
using static TorchSharp.torch;

namespace Volt.Loops;

/// <summary>
/// The latest training loss of a fit: kept on the loss's device for the progress line (read only when
/// the line is drawn) and checked for NaN or infinity each step when
/// <see cref="TrainerOptions.StopOnNonFiniteLoss"/> is on.
/// </summary>
internal sealed class TrainingLoss : IDisposable
{
    private Tensor? latest;

    /// <summary>Records <paramref name="loss"/>; throws when it is not finite and the option says stop.</summary>
    /// <exception cref="NonFiniteTrainingException">The loss is NaN or infinite; the message names epoch, batch and step.</exception>
    public void Observe(Tensor loss, RunContext context)
    {
        if (loss.numel() != 1)
        {
            return;
        }

        using (var flat = loss.detach().reshape(1))
        {
            latest ??= zeros(1, ScalarType.Float64, flat.device).DetachFromDisposeScope();
            latest.copy_(flat);
        }

        if (!context.Options.StopOnNonFiniteLoss)
        {
            return;
        }

        var value = latest.item<double>();
        if (!double.IsFinite(value))
        {
            throw new NonFiniteTrainingException(
                $"The training loss is not finite ({value.ToString(CultureInfo.InvariantCulture)}) in epoch {context.CurrentEpoch}, batch {context.LoopProgress.NextBatchIndex} (global step {context.GlobalStep}). "
                + "Training stops before this batch's backward pass and optimizer step, so the weights and the checkpoints written so far stay finite. "
                + "Lower the learning rate or clip gradients; set TrainerOptions.StopOnNonFiniteLoss = false to train on.");
        }
    }

    /// <summary>The latest loss, or null before the first step (reading it synchronises with the device).</summary>
    public double? Latest => latest?.item<double>();

    public void Dispose()
    {
        latest?.Dispose();
        latest = null;
    }
}
