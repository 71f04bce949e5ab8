using System.Collections.Generic;
using TorchSharp.Modules;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Logging;

/// <summary>Logs its loss every step (training's default: per step, not per epoch, in the progress bar) and remembers each step's value.</summary>
public sealed partial class LossRecorder() : nn.Module<Tensor, Tensor>("loss_recorder")
{
    private readonly Linear linear = nn.Linear(3, 1);

    /// <summary>The loss of every step, read by the step itself, in order.</summary>
    public List<double> Losses { get; } = [];

    public override Tensor forward(Tensor input) => linear.forward(input);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch)
    {
        var loss = nn.functional.mse_loss(forward(batch.X).squeeze(1), batch.Y);
        Losses.Add(loss.item<float>());
        Log("train_loss", loss, progressBar: true);
        return loss;
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.05);
}
