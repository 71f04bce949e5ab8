using System.Globalization;
using System.IO;
using Volt;
using Volt.Data;
using Volt.Tuning;

namespace FashionMnistSample;

/// <summary>
/// <c>--find-lr</c>: runs the learning-rate finder on the classifier instead of training it, prints the suggested
/// rate and draws the loss curve to <c>&lt;root&gt;/lr_find.png</c>.
/// </summary>
public static class FindLr
{
    /// <summary>The outcome: the finder's result and where the plot went.</summary>
    /// <param name="Finder">The rates, losses and suggestion.</param>
    /// <param name="PlotPath">The PNG.</param>
    public sealed record Result(LrFinderResult Finder, string PlotPath);

    /// <summary>Runs the finder with the model, batch size, seed and precision of <paramref name="options"/>.</summary>
    public static Result Run(SampleOptions options, TextWriter console)
    {
        using var data = FashionMnist.Load(options.DataDirectory, splitSeed: options.Seed);
        Seeding.SeedEverything(options.Seed);
        using var model = new FashionClassifier(options.Model, hiddenSize: 128, learningRate: options.LearningRate);
        using var train = data.Train.ToLoader(options.BatchSize, shuffle: true, seed: options.Seed);
        using var trainer = new Trainer(
            new TrainerOptions
            {
                Seed = options.Seed,
                DefaultRootDir = options.RootDirectory,
                Precision = options.Precision,
                EnableProgressBar = options.Progress,
            },
            console: console);

        var finder = new Tuner(trainer).LrFind(model, train);
        var plotPath = Path.Combine(options.RootDirectory, "lr_find.png");
        finder.Plot(plotPath);
        console.WriteLine($"suggested_lr: {finder.Suggestion?.ToString("G3", CultureInfo.InvariantCulture) ?? "none"}");
        console.WriteLine($"lr_find_plot: {Path.GetFullPath(plotPath)}");
        return new Result(finder, plotPath);
    }
}
