using System;
using System.Globalization;
using System.IO;
using System.Linq;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Volt.Tuning;

/// <summary>Draws an <see cref="LrFinderResult"/> with ScottPlot (Lightning's <c>_LRFinder.plot(suggest=True)</c>).</summary>
internal static class LrFinderPlot
{
    public static void Write(LrFinderResult result, string path, int width, int height)
    {
        var points = Enumerable.Range(0, result.Lrs.Count).Where(i => double.IsFinite(result.Losses[i])).ToArray();
        if (points.Length == 0)
        {
            throw new InvalidOperationException("The learning-rate finder recorded no finite loss, so there is no curve to plot.");
        }

        // ScottPlot has no log axis: exponential sweeps are drawn over log10(lr) with ticks labelled as rates.
        var logAxis = result.Mode == LrFinderMode.Exponential;
        double X(int i) => logAxis ? Math.Log10(result.Lrs[i]) : result.Lrs[i];

        using var plot = new Plot();
        var curve = plot.Add.ScatterLine(points.Select(X).ToArray(), points.Select(i => result.Losses[i]).ToArray());
        curve.LineWidth = 2;
        if (result.SuggestionIndex is { } suggested)
        {
            var marker = plot.Add.Marker(X(suggested), result.Losses[suggested], MarkerShape.FilledCircle, 10, Colors.Red);
            marker.LegendText = "suggested " + result.Lrs[suggested].ToString("G3", CultureInfo.InvariantCulture);
            plot.ShowLegend();
        }

        if (logAxis)
        {
            plot.Axes.Bottom.TickGenerator = new NumericAutomatic
            {
                IntegerTicksOnly = true,
                MinorTickGenerator = new LogMinorTickGenerator(),
                LabelFormatter = exponent => Math.Pow(10, exponent).ToString("G3", CultureInfo.InvariantCulture),
            };
        }

        plot.Title("Learning-rate finder");
        plot.XLabel(logAxis ? "Learning rate (log scale)" : "Learning rate");
        plot.YLabel("Smoothed training loss");

        var fullPath = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        AtomicFile.WriteAllBytes(fullPath, plot.GetImageBytes(width, height, ImageFormat.Png));
    }
}
