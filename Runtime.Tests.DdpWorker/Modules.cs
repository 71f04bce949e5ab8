using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.DdpWorker;

public sealed record XYBatch(Tensor X, Tensor Y);

/// <summary>A two-layer regression net, trained with SGD and automatic optimization.</summary>
public sealed partial class TinyRegression() : nn.Module<Tensor, Tensor>("tiny_regression")
{
    private readonly Linear hidden = nn.Linear(4, 8);
    private readonly Linear output = nn.Linear(8, 1);

    public override Tensor forward(Tensor input) => output.forward(hidden.forward(input).tanh()).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch) => nn.functional.mse_loss(forward(batch.X), batch.Y);

    [ValidationStep]
    private void ValidationStep(XYBatch batch) => Log("val_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.1);
}

/// <summary>Two sub-networks with their own optimizers stepped by the step itself (a GAN's shape: manual optimization).</summary>
public sealed partial class TwoOptimizers() : nn.Module<Tensor, Tensor>("two_optimizers")
{
    private readonly Linear first = nn.Linear(4, 4);
    private readonly Linear second = nn.Linear(4, 1);

    public override Tensor forward(Tensor input) => second.forward(first.forward(input).tanh()).squeeze(1);

    [TrainingStep(AutomaticOptimization = false)]
    private void TrainingStep(XYBatch batch, (optim.Optimizer First, optim.Optimizer Second) optimizers)
    {
        // Step the second network on the loss, then the first on a different loss of the same batch.
        optimizers.Second.zero_grad();
        ManualBackward(nn.functional.mse_loss(forward(batch.X), batch.Y));
        ManualStep(optimizers.Second);

        optimizers.First.zero_grad();
        ManualBackward(nn.functional.l1_loss(forward(batch.X), batch.Y));
        ManualStep(optimizers.First);
    }

    [ConfigureOptimizers]
    private (optim.Optimizer, optim.Optimizer) ConfigureOptimizers()
        => (optim.SGD(first.parameters(), 0.05), optim.SGD(second.parameters(), 0.1));
}

/// <summary>Validation logs a metric that differs per rank: rank 0's keeps improving, the others' never does.</summary>
public sealed partial class PerRankMetric() : nn.Module<Tensor, Tensor>("per_rank_metric")
{
    private readonly Linear linear = nn.Linear(4, 1);
    private int validationEpochs;

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch) => nn.functional.mse_loss(forward(batch.X), batch.Y);

    [ValidationStep]
    private void ValidationStep(XYBatch batch, int batchIndex)
    {
        if (batchIndex == 0)
        {
            validationEpochs++;
        }

        Log("rank_metric", GlobalRank == 0 ? 1.0 / validationEpochs : 1.0);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.01);
}

/// <summary>The benchmarks' Fashion-MNIST MLP: 784 → 128 → 10, Adam 1e-3.</summary>
public sealed partial class BenchMlp() : nn.Module<Tensor, Tensor>("bench_mlp")
{
    private readonly Linear hidden = nn.Linear(784, 128);
    private readonly Linear output = nn.Linear(128, 10);

    public override Tensor forward(Tensor input) => output.forward(nn.functional.relu(hidden.forward(input.flatten(1))));

    [TrainingStep]
    private Tensor TrainingStep(Volt.Data.ImageBatch batch) => nn.functional.cross_entropy(forward(batch.Images), batch.Labels);

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.Adam(parameters(), 1e-3);
}

/// <summary>
/// A regression net with dropout whose ranks' random streams differ: each step draws rank + 1 extra
/// numbers, so a resume that gave rank 1 rank 0's generator state would drop other units.
/// </summary>
public sealed partial class DropoutRegression() : nn.Module<Tensor, Tensor>("dropout_regression")
{
    private readonly Linear hidden = nn.Linear(4, 16);
    private readonly Dropout dropout = nn.Dropout(0.5);
    private readonly Linear output = nn.Linear(16, 1);

    public override Tensor forward(Tensor input) => output.forward(dropout.forward(hidden.forward(input).tanh())).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch)
    {
        torch.rand(GlobalRank + 1).Dispose();
        return nn.functional.mse_loss(forward(batch.X), batch.Y);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.1);
}
