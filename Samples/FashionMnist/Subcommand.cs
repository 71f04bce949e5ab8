using System;
using System.Collections.Generic;
using System.IO;

namespace FashionMnistSample;

/// <summary>What the export and serve subcommands share: parse, run, and turn failures into exit codes.</summary>
public static class Subcommand
{
    /// <summary>
    /// Parses <paramref name="args"/> and runs the command on the classifier loaded from its
    /// checkpoint. Returns 0 when done, 1 when a file cannot be read or written (or the port is taken),
    /// 2 for bad arguments (with <paramref name="usage"/>); every message names the culprit.
    /// </summary>
    public static int Run<TOptions>(
        IReadOnlyList<string> args,
        Func<IReadOnlyList<string>, TOptions> parse,
        Func<TOptions, string> checkpointPath,
        Action<TOptions, FashionClassifier> run,
        string usage,
        TextWriter errors)
    {
        TOptions options;
        try
        {
            options = parse(args);
        }
        catch (ArgumentException error)
        {
            errors.WriteLine(error.Message);
            errors.WriteLine(usage);
            return 2;
        }

        try
        {
            using var model = SavedModel.Load(checkpointPath(options));
            run(options, model);
            return 0;
        }
        catch (ArgumentException error)
        {
            // An option only the command itself can check (for example serve's --host).
            errors.WriteLine(error.Message);
            return 2;
        }
        catch (Exception error) when (error is IOException or InvalidDataException)
        {
            errors.WriteLine(error.Message);
            return 1;
        }
    }
}
