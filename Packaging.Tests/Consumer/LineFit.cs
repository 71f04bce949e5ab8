using TorchSharp;
using TorchSharp.Modules;
using Volt;
using static TorchSharp.torch;

namespace Consumer;

public sealed record PointBatch(Tensor X, Tensor Y);

public sealed partial class LineFit(double learningRate = 0.1) : nn.Module<Tensor, Tensor>("line_fit")
{
    private readonly Linear linear = nn.Linear(1, 1);

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(PointBatch batch)
    {
        var loss = nn.functional.mse_loss(forward(batch.X), batch.Y);
        Log("train_loss", loss);
        return loss;
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), learningRate);
}
