using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Volt.Logging;

/// <summary>
/// Writes <c>metrics.csv</c> in the run directory, one row per <see cref="LogMetrics"/> call, one
/// column per metric name (as Lightning's <c>CSVLogger</c>): <c>step</c> first, then names in
/// first-seen order. Each row is appended and flushed to the operating system when it is logged, so a
/// killed process keeps every row logged before the kill. When a new metric name appears, the file is
/// rewritten once with the wider header (atomically, through a temporary file), as Lightning does.
/// </summary>
public sealed class CsvLogger : IMetricLogger
{
    /// <summary>The file name inside the run directory.</summary>
    public const string FileName = "metrics.csv";

    /// <summary>The hyperparameter file's name inside the run directory (Lightning's <c>hparams.yaml</c>).</summary>
    public const string HyperparametersFileName = "hparams.yaml";

    private readonly List<string> columns = [];
    private readonly HashSet<string> knownColumns = new(StringComparer.Ordinal);

    /// <summary>Creates a logger that writes <c>metrics.csv</c> into the run directory the trainer opens it with.</summary>
    public CsvLogger()
    {
    }

    /// <summary>Creates a logger writing to <c>metrics.csv</c> in <paramref name="directory"/>.</summary>
    /// <param name="directory">The run directory.</param>
    public CsvLogger(string directory)
    {
        Open(directory);
    }

    /// <summary>The CSV file's path, once opened.</summary>
    public string FilePath { get; private set; } = "";

    /// <summary>The path of <c>hparams.yaml</c>, once opened.</summary>
    public string HyperparametersPath { get; private set; } = "";

    /// <inheritdoc />
    public void Open(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        FilePath = Path.Combine(runDirectory, FileName);
        HyperparametersPath = Path.Combine(runDirectory, HyperparametersFileName);
    }

    /// <summary>
    /// Writes the hyperparameters as <c>hparams.yaml</c> beside <c>metrics.csv</c> (Lightning's
    /// <c>CSVLogger</c> layout), atomically; the trainer's <c>hparams.json</c> is written as well.
    /// </summary>
    /// <param name="hyperparameters">Names and values.</param>
    public void LogHyperparameters(IReadOnlyDictionary<string, object?> hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        if (HyperparametersPath.Length == 0)
        {
            throw new InvalidOperationException("The CSV logger was given hyperparameters before Open; the trainer opens it in the run directory first.");
        }

        var yaml = new Cli.CliConfig();
        foreach (var (name, value) in hyperparameters)
        {
            yaml.Add(section: null, name, value);
        }

        AtomicFile.WriteAllText(HyperparametersPath, yaml.ToYaml());
    }

    /// <inheritdoc />
    public void Finish(RunStatus status) => Flush();

    /// <inheritdoc />
    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        var added = 0;
        foreach (var name in metrics.Keys)
        {
            if (knownColumns.Add(name))
            {
                columns.Add(name);
                added++;
            }
        }

        if (added > 0)
        {
            RewriteWithHeader(added);
        }

        var row = new StringBuilder(step.ToString(CultureInfo.InvariantCulture));
        foreach (var column in columns)
        {
            row.Append(',');
            if (metrics.TryGetValue(column, out var value))
            {
                row.Append(value.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        row.Append('\n');
        using var stream = new FileStream(FilePath, FileMode.Append, FileAccess.Write, FileShare.Read);
        stream.Write(Encoding.UTF8.GetBytes(row.ToString()));
        stream.Flush();
    }

    /// <summary>Rows are on disk as soon as they are logged; this only creates the file when nothing was logged yet.</summary>
    public void Flush()
    {
        if (!File.Exists(FilePath))
        {
            AtomicFile.WriteAllText(FilePath, Header());
        }
    }

    /// <summary>Rewrites the file with the current header, padding the earlier rows with empty cells for the <paramref name="added"/> new columns.</summary>
    private void RewriteWithHeader(int added)
    {
        var text = new StringBuilder(Header());
        if (File.Exists(FilePath))
        {
            var padding = new string(',', added);
            foreach (var line in File.ReadLines(FilePath).Skip(1))
            {
                text.Append(line).Append(padding).Append('\n');
            }
        }

        AtomicFile.WriteAllText(FilePath, text.ToString());
    }

    private string Header()
        => "step" + string.Concat(columns.Select(c => "," + Quote(c))) + "\n";

    private static string Quote(string name)
        => name.IndexOfAny([',', '"', '\n']) < 0 ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
