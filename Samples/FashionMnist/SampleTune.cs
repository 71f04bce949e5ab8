using System.IO;
using Volt;
using Volt.Data;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;
using Volt.Search.Storages;

namespace FashionMnistSample;

/// <summary>
/// <c>tune --trials N</c>: searches the classifier's declared space (learning rate and hidden size)
/// with TPE, pruning trials whose validation accuracy falls below the median, and keeps the study
/// in <c>&lt;root&gt;/fashion_mnist_study.db</c> (Optuna's schema: <c>optuna.load_study</c> reads it).
/// Running tune again on the same root continues the study.
/// </summary>
public static class SampleTune
{
    /// <summary>The study file's name under --root.</summary>
    public const string StudyFileName = "fashion_mnist_study.db";

    /// <summary>Runs the search and prints the trial table and the best trial; writes trials.csv and optimization_history.png next to the study.</summary>
    public static Study Run(SampleOptions options, TextWriter console)
    {
        using var data = FashionMnist.Load(options.DataDirectory, splitSeed: options.Seed);
        console.WriteLine($"Fashion-MNIST from {data.Directory}: {data.Train.Count} train, {data.Validation.Count} validation images");
        using var storage = new SqliteStudyStorage(Path.Combine(options.RootDirectory, StudyFileName));
        var study = new Study(new StudyOptions
        {
            Name = "fashion_mnist_" + options.Model,
            Direction = StudyDirection.Maximize,
            Storage = storage,
            Sampler = new TpeSampler(seed: (int)options.Seed),
            Pruner = new MedianPruner(),
            Log = console,
        });

        var defaults = new FashionClassifier.Hyperparameters(options.Model, 128, options.LearningRate);
        study.Optimize(options.Trials, trial =>
        {
            var hyperparameters = FashionClassifier.SampleHyperparameters(trial, defaults);
            Seeding.SeedEverything(options.Seed);
            using var model = FashionClassifier.FromHyperparameters(hyperparameters);
            using var train = data.Train.ToLoader(options.BatchSize, shuffle: true, seed: options.Seed);
            using var validation = data.Validation.ToLoader(1000, shuffle: false);
            using var trainer = new Trainer(
                new TrainerOptions
                {
                    MaxEpochs = options.Epochs,
                    Seed = options.Seed,
                    DefaultRootDir = options.RootDirectory,
                    RunName = "fashion_mnist_tune",
                    LimitTrainBatches = options.LimitTrainBatches is { } trainLimit ? trainLimit : BatchLimit.All,
                    LimitValBatches = options.LimitValBatches is { } valLimit ? valLimit : BatchLimit.All,
                    EnableProgressBar = false,
                    EnableCheckpointing = false,
                    Precision = options.Precision,
                },
                callbacks: [new PruningCallback(trial)],
                console: TextWriter.Null);
            trainer.Fit(model, train, validation);
            return trainer.CallbackMetrics["val_acc"];
        });

        StudyReport.Write(study, Path.Combine(options.RootDirectory, "studies", study.Name), console);
        return study;
    }
}
