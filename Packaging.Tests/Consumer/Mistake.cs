using System;
using TorchSharp;
using TorchSharp.Modules;
using Volt;
using static TorchSharp.torch;

namespace Consumer;

// Deliberate mistake: an unseeded System.Random in a module (VOLT0014).
public sealed partial class Noisy() : nn.Module<Tensor, Tensor>("noisy")
{
    private readonly Linear linear = nn.Linear(1, 1);
    private readonly Random random = new Random();

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1) * random.NextDouble();

    [TrainingStep]
    private Tensor TrainingStep(PointBatch batch) => nn.functional.mse_loss(forward(batch.X), batch.Y);

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.1);
}
