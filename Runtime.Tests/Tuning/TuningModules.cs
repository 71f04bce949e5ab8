using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Data;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Tuning;

/// <summary>
/// A two-layer linear network y = w2·(W1·x) in float64 with small initial weights. The origin is a saddle point,
/// so plain gradient descent first crawls along a plateau and then drops sharply: the loss curve a learning-rate
/// finder is built for. Trained full-batch, so the curve has no sampling noise.
/// </summary>
public sealed partial class DeepLinearRegression(double learningRate = 0.01, double initScale = 0.1, long initSeed = 3)
    : nn.Module<Tensor, Tensor>("deep_linear")
{
    private readonly Linear hidden = SmallLinear(DeepLinearData.Inputs, DeepLinearData.Inputs, initScale, initSeed);
    private readonly Linear output = SmallLinear(DeepLinearData.Inputs, 1, initScale, initSeed + 1);

    public override Tensor forward(Tensor input) => output.forward(hidden.forward(input)).squeeze(1);

    /// <summary>The full-batch loss now, without gradients.</summary>
    public double Loss(Tensor x, Tensor y)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return nn.functional.mse_loss(forward(x), y).item<double>();
    }

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch) => nn.functional.mse_loss(forward(batch.X), batch.Y);

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), learningRate);

    private static Linear SmallLinear(int inputs, int outputs, double scale, long seed)
    {
        var layer = nn.Linear(inputs, outputs, hasBias: false, dtype: ScalarType.Float64);
        using var generator = new Generator((ulong)seed);
        using var noGrad = no_grad();
        using var values = randn([outputs, inputs], dtype: ScalarType.Float64, generator: generator);
        layer.weight!.copy_(values * scale);
        return layer;
    }
}

/// <summary>y = x·1 + 0.05·noise over 4 inputs, float64, from a fixed generator.</summary>
internal static class DeepLinearData
{
    public const int Inputs = 4;

    public static (Tensor X, Tensor Y) Create(int count)
    {
        using var generator = new Generator(11);
        using var scope = NewDisposeScope();
        var x = randn([count, Inputs], dtype: ScalarType.Float64, generator: generator);
        var noise = randn([count], dtype: ScalarType.Float64, generator: generator);
        var y = x.sum(1) + (noise * 0.05);
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }
}

/// <summary>
/// Regression through dropout (so every step draws random numbers) that records the learning rate its optimizer
/// held at the start of each training step.
/// </summary>
public sealed partial class DropoutRegression(double learningRate = 0.05) : nn.Module<Tensor, Tensor>("dropout_regression")
{
    private readonly Linear first = nn.Linear(3, 8);
    private readonly Dropout dropout = nn.Dropout(0.5);
    private readonly Linear second = nn.Linear(8, 1);
    private optim.Optimizer? optimizer;

    public List<double> RatesAtStepStart { get; } = [];

    public override Tensor forward(Tensor input) => second.forward(dropout.forward(first.forward(input))).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch)
    {
        RatesAtStepStart.Add(optimizer!.ParamGroups.First().LearningRate);
        return nn.functional.mse_loss(forward(batch.X), batch.Y);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optimizer = optim.SGD(parameters(), learningRate);
}

/// <summary>
/// Regression through one wide hidden layer: a step holds two batch × <c>width</c> float32 activations (the
/// layer's output and its ReLU), so its tensor memory grows by at least 8·width bytes per sample.
/// </summary>
public sealed partial class WideRegression(int width = 2048) : nn.Module<Tensor, Tensor>("wide_regression")
{
    private readonly Linear hidden = nn.Linear(3, width);
    private readonly Linear output = nn.Linear(width, 1);

    /// <summary>Throw a (non-memory) error in any step whose batch has at least this many samples.</summary>
    public int? FailAtBatchSize { get; set; }

    public List<long> BatchSizes { get; } = [];

    public override Tensor forward(Tensor input) => output.forward(nn.functional.relu(hidden.forward(input))).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch)
    {
        var size = batch.X.size(0);
        BatchSizes.Add(size);
        if (size >= FailAtBatchSize)
        {
            throw new InvalidOperationException($"scripted failure at batch size {size}");
        }

        return nn.functional.mse_loss(forward(batch.X), batch.Y);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.01);
}

/// <summary>Copies of a module's state dict and of torch's random state, to compare bit for bit.</summary>
internal sealed class StateCopy : IDisposable
{
    private readonly Dictionary<string, Tensor> tensors;
    private readonly Tensor rng;

    public StateCopy(nn.Module module)
    {
        tensors = module.state_dict().ToDictionary(e => e.Key, e => e.Value.detach().clone().DetachFromDisposeScope());
        rng = torch.get_rng_state().DetachFromDisposeScope();
    }

    /// <summary>The names of the entries that differ from <paramref name="module"/>'s now (empty when bit-identical), and whether the random state matches.</summary>
    public (List<string> ChangedTensors, bool SameRng) Compare(nn.Module module)
    {
        using var scope = NewDisposeScope();
        var changed = module.state_dict().Where(e => !SameBits(e.Value, tensors[e.Key])).Select(e => e.Key).ToList();
        return (changed, SameBits(torch.get_rng_state(), rng));
    }

    private static bool SameBits(Tensor a, Tensor b)
        => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.detach().cpu().contiguous().bytes.SequenceEqual(b.contiguous().bytes);

    public void Dispose()
    {
        foreach (var tensor in tensors.Values)
        {
            tensor.Dispose();
        }

        rng.Dispose();
    }
}

/// <summary>A data set (x, y) with a loader over it, freed together.</summary>
internal sealed class TuningData : IDisposable
{
    private TuningData((Tensor X, Tensor Y) data, int batchSize)
    {
        (X, Y) = data;
        Train = Loader(batchSize);
    }

    public Tensor X { get; }

    public Tensor Y { get; }

    /// <summary>The loader made with the data set.</summary>
    public TensorDataLoader<XYBatch> Train { get; }

    /// <summary>The linear-regression data of the training tests (3 inputs, float32).</summary>
    public static TuningData Linear(int count, int batchSize) => new(TestData.Linear(count), batchSize);

    /// <summary>The plateau data of <see cref="DeepLinearRegression"/> (4 inputs, float64).</summary>
    public static TuningData DeepLinear(int count, int batchSize) => new(DeepLinearData.Create(count), batchSize);

    /// <summary>Trainer options that write and print nothing.</summary>
    public static TrainerOptions QuietOptions(TempRoot root) => root.Options(maxEpochs: 1) with { EnableLogging = false, EnableCheckpointing = false };

    /// <summary>A new loader over the same tensors (the caller disposes it).</summary>
    public TensorDataLoader<XYBatch> Loader(int batchSize) => TensorDataLoader.Create(X, Y, batchSize, (a, b) => new XYBatch(a, b));

    public void Dispose()
    {
        Train.Dispose();
        X.Dispose();
        Y.Dispose();
    }
}
