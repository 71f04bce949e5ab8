using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace Volt.Logging;

/// <summary>
/// Writes <c>metrics.csv</c> in the run directory, one row per <see cref="LogMetrics"/> call, one
/// column per metric name (as Lightning's <c>CSVLogger</c>): <c>step</c> first, then names in
/// first-seen order. The file is rewritten whole on <see cref="Flush"/> through a temporary file, so
/// it is never half-written.
/// </summary>
public sealed class CsvLogger : IMetricLogger
{
    private readonly List<string> columns = [];
    private readonly HashSet<string> knownColumns = new(StringComparer.Ordinal);
    private readonly List<(long Step, Dictionary<string, double> Values)> rows = [];

    /// <summary>Creates a logger writing to <c>metrics.csv</c> in <paramref name="directory"/>.</summary>
    /// <param name="directory">The run directory.</param>
    public CsvLogger(string directory)
    {
        FilePath = Path.Combine(directory, "metrics.csv");
    }

    /// <summary>The CSV file's path.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        var row = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in metrics)
        {
            if (knownColumns.Add(name))
            {
                columns.Add(name);
            }

            row[name] = value;
        }

        rows.Add((step, row));
    }

    /// <inheritdoc />
    public void Flush()
    {
        var text = new StringBuilder();
        text.Append("step");
        foreach (var column in columns)
        {
            text.Append(',').Append(Quote(column));
        }

        text.Append('\n');
        foreach (var (step, values) in rows)
        {
            text.Append(step.ToString(CultureInfo.InvariantCulture));
            foreach (var column in columns)
            {
                text.Append(',');
                if (values.TryGetValue(column, out var value))
                {
                    text.Append(value.ToString("R", CultureInfo.InvariantCulture));
                }
            }

            text.Append('\n');
        }

        AtomicFile.WriteAllText(FilePath, text.ToString());
    }

    private static string Quote(string name)
        => name.IndexOfAny([',', '"', '\n']) < 0 ? name : "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
