using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

public sealed record XYBatch(Tensor X, Tensor Y);

/// <summary>What a step saw: the module's mode and whether autograd was recording.</summary>
public readonly record struct StepMode(bool Training, bool GradEnabled);

/// <summary>Linear regression with every phase; it records what each step observed.</summary>
[Monitor("val_loss", MonitorMode.Min)]
public sealed partial class Regression(int inputs = 3, double learningRate = 0.05, string label = "regression")
    : nn.Module<Tensor, Tensor>("regression")
{
    private readonly Linear linear = nn.Linear(inputs, 1);

    public List<StepMode> TrainingModes { get; } = [];

    public List<StepMode> ValidationModes { get; } = [];

    public List<long> LiveTensorsAtEpochStart { get; } = [];

    /// <summary>The first input value of every training batch, in order (to see which batches ran).</summary>
    public List<float> FirstInputs { get; } = [];

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch, int batchIndex)
    {
        if (batchIndex == 0)
        {
            LiveTensorsAtEpochStart.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        }

        TrainingModes.Add(new StepMode(training, is_grad_enabled()));
        FirstInputs.Add(batch.X[0, 0].ToSingle());
        var loss = nn.functional.mse_loss(forward(batch.X), batch.Y);
        Log("train_loss", loss, onEpoch: true);
        return loss;
    }

    [ValidationStep]
    private void ValidationStep(XYBatch batch)
    {
        ValidationModes.Add(new StepMode(training, is_grad_enabled()));
        Log("val_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));
    }

    [TestStep]
    private void TestStep(XYBatch batch) => Log("test_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));

    [PredictStep]
    private Tensor PredictStep(XYBatch batch) => forward(batch.X);

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), learningRate);
}

/// <summary>Logs known values so the aggregation math can be checked.</summary>
public sealed partial class MetricProbe() : nn.Module<Tensor, Tensor>("probe")
{
    private readonly Linear linear = nn.Linear(1, 1);

    public override Tensor forward(Tensor input) => linear.forward(input);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch, int batchIndex)
    {
        Log("step_only", batchIndex);
        Log("epoch_mean", batch.X.mean(), onStep: false, onEpoch: true);
        Log("both", batchIndex, onStep: true, onEpoch: true);
        return forward(batch.X).sum() * 0;
    }

    [ValidationStep]
    private void ValidationStep(XYBatch batch)
    {
        Log("x_mean", batch.X.mean());
        Log("x_max", batch.X.max(), reduce: MetricReduce.Max);
        Log("batches", 1.0, reduce: MetricReduce.Sum);
        Log("x_mean_unweighted", batch.X.mean(), batchSize: 1);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.0);
}

/// <summary>A module whose validation step takes a ValueTuple batch and whose regular constructor marks hyperparameters.</summary>
public sealed partial class TupleModule : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;

    public TupleModule(int inputs, Device? device = null) : base("tuple")
    {
        Inputs = inputs;
        linear = nn.Linear(inputs, 1);
        RegisterComponents();
        if (device is not null)
        {
            this.to(device);
        }
    }

    [Hyperparameter]
    public int Inputs { get; }

    [Hyperparameter]
    public double Scale { get; init; } = 1.0;

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1) * Scale;

    [ValidationStep]
    private void ValidationStep((Tensor X, Tensor Y) batch) => Log("val_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));
}

internal static class TestData
{
    /// <summary>y = x·[1, -2, 0.5] + 0.3 plus a little noise, from a fixed generator.</summary>
    public static (Tensor X, Tensor Y) Linear(int count, long seed = 7)
    {
        using var generator = new Generator((ulong)seed);
        var x = randn([count, 3], generator: generator);
        using var weights = tensor(new float[] { 1f, -2f, 0.5f });
        using var noise = randn([count], generator: generator);
        var y = x.matmul(weights) + 0.3f + (noise * 0.01f);
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }

    public static TensorDataLoader<XYBatch> Loader(Tensor x, Tensor y, int batchSize, bool shuffle, long? seed = null)
        => TensorDataLoader.Create(x, y, batchSize, (a, b) => new XYBatch(a, b), shuffle: shuffle, seed: seed);
}
