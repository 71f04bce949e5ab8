using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>Linear regression with SGD (lr 0.1) and a StepLR scheduler (gamma 0.5) on a configurable interval.</summary>
public sealed partial class ScheduledRegression(SchedulerInterval interval = SchedulerInterval.Epoch, int frequency = 1)
    : nn.Module<Tensor, Tensor>("scheduled")
{
    private readonly Linear linear = nn.Linear(3, 1);

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch) => nn.functional.mse_loss(forward(batch.X), batch.Y);

    [ConfigureOptimizers]
    private OptimizerConfig ConfigureOptimizers()
    {
        var optimizer = optim.SGD(parameters(), 0.1);
        return new OptimizerConfig(optimizer, new SchedulerConfig(optim.lr_scheduler.StepLR(optimizer, 1, 0.5)) { Interval = interval, Frequency = frequency });
    }
}

/// <summary>ReduceLROnPlateau on a scripted validation metric that never improves.</summary>
public sealed partial class PlateauRegression(string? monitor = "score") : nn.Module<Tensor, Tensor>("plateau")
{
    private readonly Linear linear = nn.Linear(3, 1);

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch) => nn.functional.mse_loss(forward(batch.X), batch.Y);

    [ValidationStep]
    private void ValidationStep(XYBatch batch) => Log("score", 1.0);

    [ConfigureOptimizers]
    private OptimizerConfig ConfigureOptimizers()
    {
        var optimizer = optim.SGD(parameters(), 0.1);
        var plateau = optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor: 0.5, patience: 0);
        return new OptimizerConfig(optimizer, new SchedulerConfig(plateau) { Monitor = monitor });
    }
}

/// <summary>Manual optimization with two optimizers, one per layer, stepped alternately like a GAN's.</summary>
public sealed partial class TwoOptimizerModule() : nn.Module<Tensor, Tensor>("two")
{
    private readonly Linear first = nn.Linear(3, 1);
    private readonly Linear second = nn.Linear(3, 1);

    public List<int> BatchIndices { get; } = [];

    public override Tensor forward(Tensor input) => (first.forward(input) + second.forward(input)).squeeze(1);

    public Tensor FirstWeight => first.weight!;

    public Tensor SecondWeight => second.weight!;

    [TrainingStep(AutomaticOptimization = false)]
    private void TrainingStep(XYBatch batch, int batchIndex, (optim.Optimizer First, optim.Optimizer Second) optimizers)
    {
        BatchIndices.Add(batchIndex);
        optimizers.First.zero_grad();
        var firstLoss = nn.functional.mse_loss(first.forward(batch.X).squeeze(1), batch.Y);
        ManualBackward(firstLoss);
        ManualStep(optimizers.First);

        optimizers.Second.zero_grad();
        var secondLoss = nn.functional.mse_loss(second.forward(batch.X).squeeze(1), batch.Y);
        ManualBackward(secondLoss);
        ManualStep(optimizers.Second);
        Log("first_loss", firstLoss);
        Log("second_loss", secondLoss);
    }

    [ConfigureOptimizers]
    private (optim.Optimizer First, optim.Optimizer Second) ConfigureOptimizers()
        => (optim.SGD(first.parameters(), 0.1), optim.SGD(second.parameters(), 0.01));
}
