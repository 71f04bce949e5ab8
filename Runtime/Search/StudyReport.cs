using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Volt.Search;

/// <summary>
/// What a finished study shows: the best trial, a table of every trial (printed, and as
/// <c>trials.csv</c>), and the optimization history as a PNG (Optuna's
/// <c>plot_optimization_history</c>: each completed trial's value and the best value so far).
/// </summary>
public static class StudyReport
{
    /// <summary>The file name of the trial table.</summary>
    public const string TableFileName = "trials.csv";

    /// <summary>The file name of the history plot.</summary>
    public const string HistoryFileName = "optimization_history.png";

    /// <summary>One line about the best trial, or why there is none.</summary>
    public static string BestTrialSummary(Study study)
    {
        ArgumentNullException.ThrowIfNull(study);
        var trials = study.Trials;
        if (!trials.Any(t => t.State == TrialState.Complete))
        {
            return $"Study '{study.Name}': no trial completed ({Counts(trials)}).";
        }

        var best = study.BestTrial;
        return $"Study '{study.Name}': best is trial {best.Number} with value {Study.Format(best.Value!.Value)} and parameters {Study.FormatParams(best.Params)} ({Counts(trials)}).";
    }

    /// <summary>A fixed-width table of every trial: number, state, value, parameters and, for failed trials, the error.</summary>
    public static string Table(IReadOnlyList<FrozenTrial> trials)
    {
        ArgumentNullException.ThrowIfNull(trials);
        var names = ParameterNames(trials);
        var header = new List<string> { "number", "state", "value" };
        header.AddRange(names);
        header.Add("duration_s");
        header.Add("fail_reason");
        var rows = trials.Select(t => Row(t, names)).ToList();
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Select(r => r[i].Length).DefaultIfEmpty(0).Max())).ToArray();
        var text = new StringBuilder();
        text.AppendLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))).TrimEnd());
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString();
    }

    /// <summary>Writes <c>trials.csv</c> and <c>optimization_history.png</c> into <paramref name="directory"/>, and prints the table and the best trial.</summary>
    /// <returns>The paths of the table and the plot.</returns>
    public static (string Table, string History) Write(Study study, string directory, TextWriter console)
    {
        ArgumentNullException.ThrowIfNull(study);
        ArgumentNullException.ThrowIfNull(console);
        Directory.CreateDirectory(directory);
        var trials = study.Trials;
        var tablePath = Path.Combine(directory, TableFileName);
        AtomicFile.WriteAllText(tablePath, Csv(trials));
        var historyPath = Path.Combine(directory, HistoryFileName);
        SaveHistoryPlot(study.Name, study.Direction, trials, historyPath);
        console.Write(Table(trials));
        console.WriteLine(BestTrialSummary(study));
        return (tablePath, historyPath);
    }

    /// <summary>Saves the optimization history: completed trials' values and the best value so far, by trial number.</summary>
    public static void SaveHistoryPlot(string studyName, StudyDirection direction, IReadOnlyList<FrozenTrial> trials, string path)
    {
        var completed = trials.Where(t => t.State == TrialState.Complete && t.Value is { } v && double.IsFinite(v)).OrderBy(t => t.Number).ToList();
        var numbers = completed.Select(t => (double)t.Number).ToArray();
        var values = completed.Select(t => t.Value!.Value).ToArray();
        var best = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            best[i] = i == 0 ? values[0] : direction == StudyDirection.Maximize ? Math.Max(best[i - 1], values[i]) : Math.Min(best[i - 1], values[i]);
        }

        var plot = new ScottPlot.Plot();
        try
        {
            if (values.Length > 0)
            {
                var points = plot.Add.ScatterPoints(numbers, values);
                points.LegendText = "Objective value";
                var line = plot.Add.ScatterLine(numbers, best);
                line.LegendText = "Best value";
                plot.ShowLegend(ScottPlot.Edge.Right);
            }

            plot.Title($"Optimization history of '{studyName}'");
            plot.XLabel("Trial");
            plot.YLabel("Objective value");
            var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + ".tmp.png");
            plot.SavePng(temporary, 800, 500);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            plot.Dispose();
        }
    }

    private static string Csv(IReadOnlyList<FrozenTrial> trials)
    {
        var names = ParameterNames(trials);
        var text = new StringBuilder();
        text.AppendLine(string.Join(",", new[] { "number", "state", "value" }.Concat(names.Select(n => "params_" + n)).Append("duration_s").Append("fail_reason").Select(Quote)));
        foreach (var trial in trials)
        {
            text.AppendLine(string.Join(",", Row(trial, names).Select(Quote)));
        }

        return text.ToString();
    }

    private static List<string> Row(FrozenTrial trial, IReadOnlyList<string> names)
    {
        var parameters = trial.Params;
        var row = new List<string>
        {
            trial.Number.ToString(CultureInfo.InvariantCulture),
            trial.State.ToString().ToUpperInvariant(),
            trial.Value is { } value ? Study.Format(value) : string.Empty,
        };
        row.AddRange(names.Select(n => parameters.TryGetValue(n, out var p) ? Convert.ToString(p, CultureInfo.InvariantCulture) ?? "null" : string.Empty));
        row.Add(trial.Started is { } start && trial.Completed is { } end ? (end - start).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) : string.Empty);
        row.Add(trial.FailReason ?? string.Empty);
        return row;
    }

    private static List<string> ParameterNames(IReadOnlyList<FrozenTrial> trials)
        => trials.SelectMany(t => t.InternalParams.Keys).Distinct(StringComparer.Ordinal).ToList();

    private static string Counts(IReadOnlyList<FrozenTrial> trials)
        => string.Join(", ", trials.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));

    private static string Quote(string cell) => cell.Contains(',') || cell.Contains('"') || cell.Contains('\n') ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;
}
