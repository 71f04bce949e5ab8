using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.VisualBasic.FileIO;
using ScottPlot;

namespace Volt.Logging;

/// <summary>One metric's values by step, as read from <c>metrics.csv</c>.</summary>
/// <param name="Name">The metric's column name.</param>
/// <param name="Steps">The steps of its non-empty cells.</param>
/// <param name="Values">The values at those steps.</param>
public sealed record MetricSeries(string Name, IReadOnlyList<double> Steps, IReadOnlyList<double> Values);

/// <summary>
/// Draws the curves of a run as PNG files with ScottPlot, one chart per metric family, from the run's
/// <c>metrics.csv</c>: <c>loss.png</c> (every column whose name holds "loss": training steps, training
/// epochs, validation), <c>accuracy.png</c> (names holding "acc") and <c>learning_rate.png</c> (names
/// starting with "lr", as <see cref="Callbacks.LearningRateMonitor"/> logs them), each over the step.
/// A family without values gets no file.
/// </summary>
public static class TrainingCurves
{
    /// <summary>The image width in pixels.</summary>
    public const int Width = 800;

    /// <summary>The image height in pixels.</summary>
    public const int Height = 500;

    private static readonly (string File, string Title, string YLabel, Func<string, bool> Member)[] Families =
    [
        ("loss.png", "Loss", "loss", name => name.Contains("loss", StringComparison.OrdinalIgnoreCase)),
        ("accuracy.png", "Accuracy", "accuracy", name => name.Contains("acc", StringComparison.OrdinalIgnoreCase)),
        ("learning_rate.png", "Learning rate", "learning rate", name => name.StartsWith("lr", StringComparison.OrdinalIgnoreCase)),
    ];

    /// <summary>Draws the curves of <paramref name="runDirectory"/> from its <c>metrics.csv</c> into the same directory.</summary>
    /// <param name="runDirectory">A run directory holding <c>metrics.csv</c>.</param>
    /// <returns>The paths of the written images.</returns>
    /// <exception cref="FileNotFoundException">The directory holds no <c>metrics.csv</c>.</exception>
    /// <exception cref="InvalidDataException">The CSV file is malformed; the message names the line.</exception>
    public static IReadOnlyList<string> Write(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        var csv = Path.Combine(runDirectory, CsvLogger.FileName);
        if (!File.Exists(csv))
        {
            throw new FileNotFoundException($"'{runDirectory}' holds no {CsvLogger.FileName}; curves are drawn from the CSV logger's file (is this a run directory, runs/<name>/version_N?).", csv);
        }

        return Write(ReadCsv(csv), runDirectory);
    }

    /// <summary>Draws <paramref name="series"/> into <paramref name="directory"/>, one image per family that has values.</summary>
    /// <returns>The paths of the written images.</returns>
    public static IReadOnlyList<string> Write(IReadOnlyList<MetricSeries> series, string directory)
    {
        ArgumentNullException.ThrowIfNull(series);
        var written = new List<string>();
        foreach (var (file, title, yLabel, member) in Families)
        {
            var members = series.Where(s => member(s.Name) && s.Values.Count > 0).ToList();
            if (members.Count == 0)
            {
                continue;
            }

            using var plot = new Plot();
            foreach (var metric in members)
            {
                var line = plot.Add.ScatterLine(metric.Steps.ToArray(), metric.Values.ToArray());
                line.LegendText = metric.Name;
                line.LineWidth = 2;
                line.MarkerSize = metric.Values.Count == 1 ? 6 : 0;
            }

            plot.Title(title);
            plot.XLabel("step");
            plot.YLabel(yLabel);
            plot.ShowLegend();
            var path = Path.Combine(Path.GetFullPath(directory), file);
            AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
            written.Add(path);
        }

        return written;
    }

    /// <summary>Reads every column of a <c>metrics.csv</c> (first column <c>step</c>) into series of its non-empty cells.</summary>
    /// <exception cref="InvalidDataException">The file is malformed; the message names the line.</exception>
    public static IReadOnlyList<MetricSeries> ReadCsv(string path)
    {
        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields();
        if (header is null || header.Length == 0 || header[0] != "step")
        {
            throw new InvalidDataException($"'{path}' does not start with a 'step' column; it is not a Volt metrics.csv.");
        }

        var steps = header.Select(_ => new List<double>()).ToArray();
        var values = header.Select(_ => new List<double>()).ToArray();
        while (!parser.EndOfData)
        {
            var line = parser.LineNumber;
            var cells = parser.ReadFields() ?? [];
            if (cells.Length != header.Length)
            {
                throw new InvalidDataException($"'{path}' line {line} has {cells.Length} cells; the header has {header.Length}.");
            }

            var step = Number(path, line, header[0], cells[0]);
            for (var c = 1; c < cells.Length; c++)
            {
                if (cells[c].Length > 0)
                {
                    steps[c].Add(step);
                    values[c].Add(Number(path, line, header[c], cells[c]));
                }
            }
        }

        return header.Skip(1).Select((name, i) => new MetricSeries(name, steps[i + 1], values[i + 1])).ToList();
    }

    private static double Number(string path, long line, string column, string cell)
        => double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"'{path}' line {line}, column '{column}': '{cell}' is not a number.");
}
