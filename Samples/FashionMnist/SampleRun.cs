using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Volt;
using Volt.Callbacks;
using Volt.Data;

namespace FashionMnistSample;

/// <summary>Trains, tests and fingerprints the classifier. Separate from Main so tests can run it on a subset.</summary>
public static class SampleRun
{
    /// <summary>The outcome of a run.</summary>
    /// <param name="TestMetrics">The test epoch metrics by name.</param>
    /// <param name="WeightsSha256">The fingerprint of the final model state.</param>
    /// <param name="LogDirectory">The run directory.</param>
    public sealed record Result(IReadOnlyDictionary<string, double> TestMetrics, string WeightsSha256, string? LogDirectory);

    /// <summary>Runs the sample with <paramref name="options"/>, printing progress and results to <paramref name="console"/>.</summary>
    public static Result Run(SampleOptions options, TextWriter console)
    {
        using var data = FashionMnist.Load(options.DataDirectory, splitSeed: options.Seed);
        console.WriteLine($"Fashion-MNIST from {data.Directory}: {data.Train.Count} train, {data.Validation.Count} validation, {data.Test.Count} test images");

        // Seed before constructing the module so its initial weights repeat (Lightning's seed_everything).
        Seeding.SeedEverything(options.Seed);
        using var model = new FashionClassifier(options.Model, hiddenSize: 128, learningRate: options.LearningRate);

        using var train = data.Train.ToLoader(options.BatchSize, shuffle: true, seed: options.Seed);
        using var validation = data.Validation.ToLoader(1000, shuffle: false);
        using var test = data.Test.ToLoader(1000, shuffle: false);

        var callbacks = options.CheckpointEveryNSteps is { } everyNSteps
            ? new Callback[] { new ModelCheckpoint { SaveLast = false }, new ModelCheckpoint { EveryNTrainSteps = everyNSteps, SaveTopK = 0 } }
            : [];
        using var trainer = new Trainer(
            new TrainerOptions
            {
                MaxEpochs = options.Epochs,
                Seed = options.Seed,
                DefaultRootDir = options.RootDirectory,
                RunName = "fashion_mnist_" + options.Model,
                LimitTrainBatches = options.LimitTrainBatches is { } trainLimit ? trainLimit : BatchLimit.All,
                LimitValBatches = options.LimitValBatches is { } valLimit ? valLimit : BatchLimit.All,
                LimitTestBatches = options.LimitTestBatches is { } testLimit ? testLimit : BatchLimit.All,
                EnableProgressBar = options.Progress,
                Precision = options.Precision,
            },
            callbacks,
            console: console);

        trainer.Fit(model, train, validation, options.CheckpointPath);
        var metrics = trainer.Test(model, test);
        foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            console.WriteLine($"{name}: {value.ToString("F4", CultureInfo.InvariantCulture)}");
        }

        var fingerprint = ModelFingerprint.Sha256(model);
        console.WriteLine($"weights_sha256: {fingerprint}");
        return new Result(metrics, fingerprint, trainer.LogDir);
    }
}
