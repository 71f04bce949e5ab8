using System.IO;
using Volt;
using Volt.Cli;
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
    /// <param name="run">The parsed command line: the data module, the starting hyperparameters and the trainer options of every trial.</param>
    /// <param name="trials">How many trials to run.</param>
    /// <param name="console">Where the trial table goes.</param>
    /// <returns>The study.</returns>
    public static Study Run(CliInvocation<FashionClassifier, FashionMnistDataModule> run, int trials, TextWriter console)
    {
        using var data = run.CreateDataModule();
        data.Log = console;
        FashionClassifier.Hyperparameters defaults;
        using (var template = run.CreateModel())
        {
            defaults = template.GetHyperparameters();
        }

        var seed = run.TrainerOptions.Seed ?? 0;
        var root = run.TrainerOptions.DefaultRootDir;
        using var storage = new SqliteStudyStorage(Path.Combine(root, StudyFileName));
        var study = new Study(new StudyOptions
        {
            Name = "fashion_mnist_" + defaults.Architecture,
            Direction = StudyDirection.Maximize,
            Storage = storage,
            Sampler = new TpeSampler(seed: (int)seed),
            Pruner = new MedianPruner(),
            Log = console,
        });

        study.Optimize(trials, trial =>
        {
            var hyperparameters = FashionClassifier.SampleHyperparameters(trial, defaults);
            Seeding.SeedEverything(seed);
            using var model = FashionClassifier.FromHyperparameters(hyperparameters);
            using var trainer = new Trainer(
                run.TrainerOptions with
                {
                    RunName = "fashion_mnist_tune",
                    EnableProgressBar = false,
                    EnableCheckpointing = false,
                },
                callbacks: [new PruningCallback(trial)],
                console: TextWriter.Null);
            trainer.Fit(model, data);
            return trainer.CallbackMetrics["val_acc"];
        });

        StudyReport.Write(study, Path.Combine(root, "studies", study.Name), console);
        return study;
    }
}
