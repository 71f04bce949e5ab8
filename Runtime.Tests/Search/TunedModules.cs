using TorchSharp.Modules;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Search;

/// <summary>Linear regression with a declared search space on every kind of attribute.</summary>
[Monitor("val_loss", MonitorMode.Min)]
public sealed partial class TunedRegression(
    [Choices(0.1, 0.05, 1e-7)] double learningRate = 0.05,
    [FloatRange(0.0, 0.9, Step = 0.3)] double momentum = 0.0,
    [Choices("sgd", "adam")] string optimizer = "sgd") : nn.Module<Tensor, Tensor>("tuned_regression")
{
    private readonly Linear linear = nn.Linear(3, 1);

    /// <summary>An extra searched hyperparameter on a property.</summary>
    [Hyperparameter]
    [IntRange(8, 64, Step = 8)]
    public int BatchSize { get; init; } = 16;

    /// <summary>A log-scale float range.</summary>
    [Hyperparameter]
    [FloatRange(1e-6, 1e-2, Log = true)]
    public float WeightDecay { get; init; } = 1e-4f;

    /// <summary>A hyperparameter without a search space: sampling keeps its value.</summary>
    [Hyperparameter]
    public string Label { get; init; } = "tuned";

    public override Tensor forward(Tensor input) => linear.forward(input).squeeze(1);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch)
    {
        var loss = nn.functional.mse_loss(forward(batch.X), batch.Y);
        Log("train_loss", loss);
        return loss;
    }

    [ValidationStep]
    private void ValidationStep(XYBatch batch) => Log("val_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers()
        => optimizer == "adam" ? optim.Adam(parameters(), learningRate) : optim.SGD(parameters(), learningRate, momentum: momentum);
}
