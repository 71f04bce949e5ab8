using System;
using System.IO;
using TorchSharp;
using Volt;
using Volt.Data;
using static TorchSharp.torch;

namespace VoltClassifier.Tests;

/// <summary>Trains <see cref="Classifier"/> for a few batches on synthetic images (no data set needed).</summary>
public sealed class ClassifierTests : IDisposable
{
    private readonly string runs = Directory.CreateTempSubdirectory("classifier-tests-").FullName;

    public void Dispose() => Directory.Delete(runs, recursive: true);

    [Fact]
    public void TrainingLowersTheLossAndTheCheckpointRestoresTheModel()
    {
        Seeding.SeedEverything(0);
        using var images = SyntheticImages.Create(count: 256, seed: 1, out var labels);
        using var labelsOwner = labels;
        using var loader = TensorDataLoader.ForImages(images, labels, batchSize: 32, shuffle: true);
        using var model = new Classifier(hiddenSize: 32, learningRate: 1e-2);
        double before = Loss(model, images, labels);

        var trainer = new Trainer(new TrainerOptions { MaxEpochs = 4, DefaultRootDir = runs, EnableProgressBar = false, EnableModelSummary = false });
        trainer.Fit(model, loader);

        double after = Loss(model, images, labels);
        Assert.True(after < 0.5 * before, $"the loss went from {before} to {after} in {trainer.GlobalStep} steps; expected it to halve");

        using var restored = Classifier.LoadFromCheckpoint(Path.Combine(trainer.LogDir!, "checkpoints", "last.ckpt"));
        Assert.Equal(after, Loss(restored, images, labels), tolerance: 1e-6);
    }

    [Fact]
    public void MissingDataNamesTheDirectoryAndTheOption()
    {
        var missing = Path.Combine(runs, "no-fashion-mnist-here");
        using var data = new FashionData(root: missing);

        var error = Assert.Throws<DirectoryNotFoundException>(() => data.Setup(Stage.Fit));

        Assert.Contains(missing, error.Message);
        Assert.Contains("--data.root", error.Message);
    }

    /// <summary>The mean cross-entropy over all images, in evaluation mode (no dropout).</summary>
    private static double Loss(Classifier model, Tensor images, Tensor labels)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        return nn.functional.cross_entropy(model.forward(images), labels).item<float>();
    }
}
