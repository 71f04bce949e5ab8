using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Spectre.Console;

namespace Volt.Profiling;

/// <summary>One action of a <see cref="ProfilerReport"/>: how often it ran and for how long in all.</summary>
/// <param name="Action">The action's name, such as <c>run_training_epoch</c> or <c>[Callback]EarlyStopping.OnValidationEpochEnd</c>.</param>
/// <param name="Count">How many times it ran to the end.</param>
/// <param name="TotalSeconds">Its summed duration in seconds (a double: hooks take less than a <see cref="TimeSpan"/> tick).</param>
internal sealed record ProfilerRow(string Action, long Count, double TotalSeconds)
{
    /// <summary>The mean duration of one run, in seconds.</summary>
    public double MeanSeconds => TotalSeconds / Count;
}

/// <summary>
/// The table Lightning's <c>SimpleProfiler.summary()</c> prints with <c>extended=True</c>: per action the
/// mean duration, the number of calls, the total time and its percentage of the whole call, sorted by
/// that percentage, under a Total row; as plain text (the console when redirected, and the file in the run
/// directory) or a Spectre.Console table on a terminal.
/// </summary>
internal sealed class ProfilerReport
{
    private static readonly string[] Header = ["Action", "Mean duration (s)", "Num calls", "Total time (s)", "Percentage %"];

    public ProfilerReport(string stage, string? outcome, double durationSeconds, IEnumerable<ProfilerRow> rows)
    {
        Stage = stage;
        Outcome = outcome;
        DurationSeconds = durationSeconds;
        Rows = rows.OrderByDescending(row => row.TotalSeconds).ThenBy(row => row.Action, StringComparer.Ordinal).ToList();
    }

    /// <summary>The trainer call: "fit", "validate", "test" or "predict".</summary>
    public string Stage { get; }

    /// <summary>Null when the call succeeded, else "failed" or "interrupted".</summary>
    public string? Outcome { get; }

    /// <summary>The seconds from the profiler's creation (the start of the call) to the report.</summary>
    public double DurationSeconds { get; }

    /// <summary>The actions, longest total first.</summary>
    public IReadOnlyList<ProfilerRow> Rows { get; }

    /// <summary>The report's title, Lightning's <c>FIT Profiler Report</c>, with the outcome when the call did not succeed.</summary>
    public string Title => $"{Stage.ToUpperInvariant()} Profiler Report" + (Outcome is null ? "" : $" ({Outcome})");

    /// <summary>The file name in the run directory: Lightning's <c>{stage}-{filename}.txt</c> with the filename "profiler".</summary>
    public static string FileName(string stage) => $"{stage}-profiler.txt";

    /// <summary>The report as plain text: the title, then a table with <c>|</c> separators.</summary>
    public string ToText()
    {
        var total = TotalCells();
        var rows = Rows.Select(Cells).ToList();
        var widths = Header.Select((h, c) => Math.Max(Math.Max(h.Length, total[c].Length), rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        string Row(string[] cells) => "| " + string.Join(" | ", cells.Select((cell, c) => cell.PadRight(widths[c]))) + " |";
        var rule = new string('-', Row(Header).Length);
        var text = new StringBuilder();
        text.Append(Title).Append('\n');
        text.Append(rule).Append('\n').Append(Row(Header)).Append('\n').Append(rule).Append('\n');
        text.Append(Row(total)).Append('\n').Append(rule).Append('\n');
        foreach (var row in rows)
        {
            text.Append(Row(row)).Append('\n');
        }

        text.Append(rule).Append('\n');
        return text.ToString();
    }

    /// <summary>Writes the plain-text report.</summary>
    public void Write(TextWriter output)
    {
        output.Write(ToText().Replace("\n", output.NewLine, StringComparison.Ordinal));
        output.Flush();
    }

    /// <summary>Writes the report as a Spectre.Console table, for a terminal.</summary>
    public void Write(IAnsiConsole console)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Title).AddColumn(Header[0]);
        foreach (var name in Header.Skip(1))
        {
            table.AddColumn(new TableColumn(name).RightAligned());
        }

        table.AddRow(TotalCells().Select(cell => new Text(cell, new Style(decoration: Decoration.Bold))));
        foreach (var row in Rows)
        {
            table.AddRow(Cells(row).Select(cell => new Text(cell)));
        }

        console.Write(table);
    }

    /// <summary>Writes the plain-text report to <c>{stage}-profiler.txt</c> in <paramref name="directory"/>, atomically.</summary>
    /// <returns>The file's path.</returns>
    public string WriteFile(string directory)
    {
        var path = Path.Combine(directory, FileName(Stage));
        AtomicFile.WriteAllText(path, ToText());
        return path;
    }

    private string[] TotalCells() => ["Total", "-", Rows.Sum(row => row.Count).ToString(CultureInfo.InvariantCulture), Number(DurationSeconds), "100 %"];

    private string[] Cells(ProfilerRow row) =>
    [
        row.Action,
        Number(row.MeanSeconds),
        row.Count.ToString(CultureInfo.InvariantCulture),
        Number(row.TotalSeconds),
        Number(100 * row.TotalSeconds / DurationSeconds),
    ];

    /// <summary>Five significant digits, as Lightning's <c>f"{value:.5}"</c>.</summary>
    private static string Number(double value) => value.ToString("G5", CultureInfo.InvariantCulture);
}
