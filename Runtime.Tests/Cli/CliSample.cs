using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Cli;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Cli;

/// <summary>The hidden activation of <see cref="CliLineFit"/>.</summary>
public enum CliActivation
{
    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>tanh(x).</summary>
    Tanh,
}

/// <summary>A batch of points on a line.</summary>
public sealed record CliPointBatch(Tensor X, Tensor Y);

/// <summary>A tiny regression module with a generated command line: every option kind appears once.</summary>
/// <param name="learningRate">The SGD learning rate.</param>
/// <param name="hiddenSize">Units of the hidden layer.</param>
/// <param name="activation">The hidden activation.</param>
/// <param name="useBias">Whether the output layer has a bias.</param>
/// <param name="label">A label for the run.</param>
[GenerateCli(typeof(CliPointData))]
public sealed partial class CliLineFit(double learningRate = 0.1, int hiddenSize = 4, CliActivation activation = CliActivation.Tanh, bool useBias = true, string label = "line")
    : nn.Module<Tensor, Tensor>("cli_line_fit")
{
    private readonly Linear hidden = nn.Linear(1, hiddenSize);
    private readonly Linear output = nn.Linear(hiddenSize, 1, hasBias: useBias);

    /// <summary>The label given on the command line.</summary>
    public string Label => label;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var h = hidden.forward(input);
        return output.forward(activation == CliActivation.Relu ? nn.functional.relu(h) : h.tanh()).squeeze(1);
    }

    [TrainingStep]
    private Tensor TrainingStep(CliPointBatch batch)
    {
        var loss = nn.functional.mse_loss(forward(batch.X), batch.Y);
        Log("train_loss", loss);
        return loss;
    }

    [ValidationStep]
    private void ValidationStep(CliPointBatch batch) => Log("val_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));

    [TestStep]
    private void TestStep(CliPointBatch batch) => Log("test_loss", nn.functional.mse_loss(forward(batch.X), batch.Y));

    [PredictStep]
    private Tensor PredictStep(CliPointBatch batch) => forward(batch.X);

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), learningRate);
}

/// <summary>Points on y = 2x + 1, split into training, validation and test points.</summary>
/// <param name="batchSize">Points per batch.</param>
/// <param name="points">How many points in each split.</param>
/// <param name="skip">Indices of training points to leave out.</param>
public sealed class CliPointData(int batchSize = 16, int points = 32, int[]? skip = null) : DataModule<CliPointBatch>
{
    private TensorDataLoader<CliPointBatch>? train;
    private TensorDataLoader<CliPointBatch>? evaluation;

    /// <summary>The training points left out.</summary>
    public int[] Skip => skip ?? [];

    /// <inheritdoc />
    public override void Setup(Stage stage)
    {
        train ??= Loader(Enumerable.Range(0, points).Where(i => !Skip.Contains(i)).Select(i => (float)i / points).ToArray(), shuffle: true);
        evaluation ??= Loader(Enumerable.Range(0, points).Select(i => (i + 0.5f) / points).ToArray(), shuffle: false);
    }

    /// <inheritdoc />
    public override IDataLoader<CliPointBatch> TrainLoader() => train ?? throw new InvalidOperationException("Setup has not run");

    /// <inheritdoc />
    public override IDataLoader<CliPointBatch>? ValidationLoader() => evaluation;

    /// <inheritdoc />
    public override IDataLoader<CliPointBatch>? TestLoader() => evaluation;

    /// <inheritdoc />
    public override IDataLoader<CliPointBatch>? PredictLoader() => evaluation;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        train?.Dispose();
        evaluation?.Dispose();
    }

    private TensorDataLoader<CliPointBatch> Loader(float[] xs, bool shuffle)
    {
        var x = tensor(xs, [xs.Length, 1]);
        var y = tensor(xs.Select(v => (2 * v) + 1).ToArray());
        return TensorDataLoader.Create(x, y, batchSize, (a, b) => new CliPointBatch(a, b), shuffle, ownsTensors: true);
    }
}
