using System;
using System.Globalization;
using static TorchSharp.torch;

namespace Volt.Loops;

/// <summary>
/// The latest training loss of a fit, for the progress line, checked for NaN or infinity each step when
/// <see cref="TrainerOptions.StopOnNonFiniteLoss"/> is on. A loss on the CPU is read each step (that waits
/// for nothing there, and creates no tensor); a loss on another device is copied into a tensor there and
/// read only when the line is drawn or the check needs it.
/// </summary>
internal sealed class TrainingLoss : IDisposable
{
    private Tensor? latest;
    private double? latestOnHost;

    /// <summary>Records <paramref name="loss"/>; throws when it is not finite and the option says stop.</summary>
    /// <exception cref="NonFiniteTrainingException">The loss is NaN or infinite; the message names epoch, batch and step.</exception>
    public void Observe(Tensor loss, RunContext context)
    {
        // A complex loss cannot run backward; backward itself says so.
        if (loss.numel() != 1 || loss.is_complex())
        {
            return;
        }

        if (Logging.HostValue.TryRead(loss, out var value))
        {
            latestOnHost = value;
        }
        else
        {
            latestOnHost = null;
            using (var flat = loss.detach().reshape(1))
            {
                latest ??= zeros(1, ScalarType.Float64, flat.device).DetachFromDisposeScope();
                latest.copy_(flat);
            }

            if (!context.Options.StopOnNonFiniteLoss)
            {
                return;
            }

            value = latest.item<double>();
        }

        if (!context.Options.StopOnNonFiniteLoss)
        {
            return;
        }

        if (!double.IsFinite(value))
        {
            throw new NonFiniteTrainingException(
                $"The training loss is not finite ({value.ToString(CultureInfo.InvariantCulture)}) in epoch {context.CurrentEpoch}, batch {context.LoopProgress.NextBatchIndex} (global step {context.GlobalStep}). "
                + "Training stops before this batch's backward pass and optimizer step, so the weights and the checkpoints written so far stay finite. "
                + "Lower the learning rate or clip gradients; set TrainerOptions.StopOnNonFiniteLoss = false to train on.");
        }
    }

    /// <summary>The latest loss, or null before the first step (reading it synchronises with the device).</summary>
    public double? Latest => latestOnHost ?? latest?.item<double>();

    public void Dispose()
    {
        latest?.Dispose();
        latest = null;
    }
}
