using System.Globalization;
using System.IO;
using Volt;
using Volt.Cli;
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

    /// <summary>Runs the finder on the training loader of the data module the options describe.</summary>
    /// <param name="run">The parsed command line.</param>
    /// <param name="trainerOptions">The trainer options (--trainer.default-root-dir is where the plot goes).</param>
    /// <param name="console">Where the suggestion goes.</param>
    /// <returns>The outcome.</returns>
    public static Result Run(CliInvocation<FashionClassifier, FashionMnistDataModule> run, TrainerOptions trainerOptions, TextWriter console)
    {
        using var data = run.CreateDataModule();
        using var model = run.CreateModel();
        using var trainer = new Trainer(trainerOptions, console: console);

        // The tuner takes a loader, so the data module's hooks are called here as trainer.Fit would.
        data.Prepare();
        data.Setup(Stage.Fit);
        LrFinderResult finder;
        try
        {
            finder = new Tuner(trainer).LrFind(model, data.TrainLoader());
        }
        finally
        {
            data.Teardown(Stage.Fit);
        }

        var plotPath = Path.Combine(trainerOptions.DefaultRootDir, "lr_find.png");
        finder.Plot(plotPath);
        console.WriteLine($"suggested_lr: {finder.Suggestion?.ToString("G3", CultureInfo.InvariantCulture) ?? "none"}");
        console.WriteLine($"lr_find_plot: {Path.GetFullPath(plotPath)}");
        return new Result(finder, plotPath);
    }
}
