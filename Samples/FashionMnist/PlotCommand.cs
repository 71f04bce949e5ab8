using System;
using System.Collections.Generic;
using System.IO;
using Volt.Logging;

namespace FashionMnistSample;

/// <summary>
/// <c>plot RUN_DIR</c>: draws a run's curves (loss.png, accuracy.png, learning_rate.png) from its
/// metrics.csv into the same directory, as a fit does at its end. See docs/logging.md.
/// </summary>
public static class PlotCommand
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        Usage: dotnet run --project Samples/FashionMnist -- plot RUN_DIR
          RUN_DIR   a run directory holding metrics.csv (runs/<name>/version_N)
        """;

    /// <summary>Draws the curves; returns 0 when done, 1 when the file cannot be read or is malformed, 2 for bad arguments.</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
    {
        if (args.Count != 1 || args[0].StartsWith('-'))
        {
            errors.WriteLine(args.Count == 1 ? $"Unknown plot option '{args[0]}'." : "plot takes one run directory.");
            errors.WriteLine(Usage);
            return 2;
        }

        try
        {
            foreach (var path in TrainingCurves.Write(args[0]))
            {
                output.WriteLine("wrote " + path);
            }

            return 0;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine(error.Message);
            return 1;
        }
    }
}
