using System;
using System.IO;
using Volt.Callbacks;

namespace Volt.Cli;

/// <summary>
/// Saves the effective command-line config as <c>config.yaml</c> in the run directory when fitting
/// starts (Lightning's <c>SaveConfigCallback</c>, pytorch/cli.py), so <c>--config runs/.../config.yaml</c>
/// repeats the run. Does nothing when logging is disabled (no run directory) and on ranks other than 0.
/// </summary>
/// <param name="config">The config to save.</param>
public sealed class SaveConfigCallback(CliConfig config) : Callback
{
    /// <summary>The file name inside the run directory.</summary>
    public const string FileName = "config.yaml";

    /// <inheritdoc />
    public override void OnFitStart(CallbackContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Every rank has the run directory; global rank 0 alone writes into it.
        if (context.LogDir is not { } logDir || !context.Strategy.IsGlobalZero)
        {
            return;
        }

        var path = Path.Combine(logDir, FileName);
        if (File.Exists(path))
        {
            throw new InvalidOperationException($"{path} exists already; not overwriting another run's config. Choose another --trainer.default-root-dir or --trainer.run-name.");
        }

        AtomicFile.WriteAllText(path, config.ToYaml());
    }
}
