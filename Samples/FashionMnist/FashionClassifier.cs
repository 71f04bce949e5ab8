using TorchSharp;
using Volt;
using Volt.Cli;
using Volt.Data;
using Volt.Metrics.Classification;
using Volt.Serving;
using static TorchSharp.torch;

namespace FashionMnistSample;

/// <summary>
/// The Volt module: a Fashion-MNIST classifier around an MLP or a CNN. The constructor parameters
/// are its hyperparameters (saved to hparams.json); the step methods say what one step does, and
/// the generated half of this class runs them.
/// </summary>
/// <param name="architecture">The network: "mlp" or "cnn".</param>
/// <param name="hiddenSize">Width of the MLP's hidden layer.</param>
/// <param name="learningRate">Adam's learning rate.</param>
/// <remarks>
/// The command line (SampleCommandLine) is generated from this class: <c>--model.*</c> from these
/// parameters, <c>--data.*</c> from <see cref="FashionMnistDataModule"/>'s, <c>--trainer.*</c> from
/// TrainerOptions, and the short names of the [CliAlias] attributes (docs/cli.md).
/// The search spaces of <c>hiddenSize</c> and <c>learningRate</c> are what <c>tune</c> searches (SampleTune).</remarks>
[GenerateCli(typeof(FashionMnistDataModule))]
[CliAlias("--model", "model.architecture")]
[CliAlias("--lr", "model.learning-rate")]
[CliAlias("--epochs", "trainer.max-epochs")]
[CliAlias("--seed", "trainer.seed")]
[CliAlias("--root", "trainer.default-root-dir")]
[CliAlias("--limit-train-batches", "trainer.limit-train-batches")]
[CliAlias("--limit-val-batches", "trainer.limit-val-batches")]
[CliAlias("--limit-test-batches", "trainer.limit-test-batches")]
[CliAlias("--precision", "trainer.precision")]
[CliAlias("--devices", "trainer.devices")]
[CliAlias("--strategy", "trainer.strategy")]
[CliAlias("--batch-size", "data.batch-size")]
[CliAlias("--data", "data.root")]
[Monitor("val_acc", MonitorMode.Max)]
[OnnxExport]
[Serve]
[ExampleShape(nameof(ImageInput.Images), 1, 28, 28)]
public sealed partial class FashionClassifier(
    string architecture = "mlp",
    [IntRange(32, 256, Step = 32)] int hiddenSize = 128,
    [FloatRange(1e-4, 1e-2, Log = true)] double learningRate = 1e-3)
    : nn.Module<Tensor, Tensor>("fashion_classifier")
{
    // The training set's pixel mean and standard deviation: inputs are standardized before the network.
    private const double PixelMean = 0.2860;
    private const double PixelStd = 0.3530;

    private readonly nn.Module<Tensor, Tensor> network = Networks.Create(architecture, hiddenSize);

    // Metric objects accumulate over the whole epoch on the module's device; Log computes and resets them at its end.
    private readonly Accuracy validationAccuracy = new(ClassificationTask.Multiclass(10));
    private readonly F1Score validationF1 = new(ClassificationTask.Multiclass(10), Average.Macro);
    private readonly Accuracy testAccuracy = new(ClassificationTask.Multiclass(10));
    private readonly F1Score testF1 = new(ClassificationTask.Multiclass(10), Average.Macro);

    /// <summary>Maps images (N×1×28×28, pixels in [0, 1]) to class logits (N×10).</summary>
    public override Tensor forward(Tensor images)
    {
        using var standardized = images.sub(PixelMean).div_(PixelStd);
        return network.forward(standardized);
    }

    [TrainingStep]
    private Tensor TrainingStep(ImageBatch batch)
    {
        var loss = nn.functional.cross_entropy(forward(batch.Images), batch.Labels);
        Log("train_loss", loss, progressBar: true);
        return loss;
    }

    [ValidationStep]
    private void ValidationStep(ImageBatch batch)
    {
        var logits = forward(batch.Images);
        Log("val_loss", nn.functional.cross_entropy(logits, batch.Labels), progressBar: true);
        validationAccuracy.Update(logits, batch.Labels);
        Log("val_acc", validationAccuracy, progressBar: true);
        validationF1.Update(logits, batch.Labels);
        Log("val_f1", validationF1);
    }

    [TestStep]
    private void TestStep(ImageBatch batch)
    {
        var logits = forward(batch.Images);
        Log("test_loss", nn.functional.cross_entropy(logits, batch.Labels));
        testAccuracy.Update(logits, batch.Labels);
        Log("test_acc", testAccuracy);
        testF1.Update(logits, batch.Labels);
        Log("test_f1", testF1);
    }

    /// <summary>
    /// What <c>serve</c> answers (and <c>Trainer.Predict</c> returns): the logits and the most likely class
    /// of each image. POST /predict takes <c>{"images": [...]}</c> and answers <c>{"logits": [...], "labels": [...]}</c>.
    /// </summary>
    [PredictStep]
    private FashionPrediction Predict(ImageInput batch)
    {
        var logits = forward(batch.Images);
        return new FashionPrediction(logits, logits.argmax(1));
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.Adam(parameters(), learningRate);
}
