using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Volt.Runtime.Tests.Profiling;

/// <summary>One row of a plain-text profiler report as printed (Lightning's extended SimpleProfiler columns).</summary>
internal sealed record ProfilerTableRow(string Action, double MeanSeconds, long Count, double TotalSeconds, double Percentage);

/// <summary>Reads the plain-text profiler report back: its title, the Total row and every action row.</summary>
internal sealed class ProfilerTable
{
    private ProfilerTable(string title, long totalCount, double totalSeconds, List<ProfilerTableRow> ordered)
    {
        Title = title;
        TotalCount = totalCount;
        TotalSeconds = totalSeconds;
        Ordered = ordered;
        Rows = ordered.ToDictionary(row => row.Action, StringComparer.Ordinal);
    }

    public string Title { get; }

    public long TotalCount { get; }

    public double TotalSeconds { get; }

    /// <summary>The action rows by name.</summary>
    public IReadOnlyDictionary<string, ProfilerTableRow> Rows { get; }

    /// <summary>The action rows in printed order.</summary>
    public IReadOnlyList<ProfilerTableRow> Ordered { get; }

    /// <summary>The number of calls of <paramref name="action"/>; fails naming the rows when it is missing.</summary>
    public long Count(string action)
        => Rows.TryGetValue(action, out var row) ? row.Count : throw new Xunit.Sdk.XunitException($"No row '{action}' in the profiler table; rows: {string.Join(", ", Rows.Keys)}");

    /// <summary>Parses the first report in <paramref name="text"/> (other console output around it is skipped).</summary>
    public static ProfilerTable Parse(string text)
    {
        var lines = text.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
        var titleIndex = lines.FindIndex(line => line.Contains("Profiler Report", StringComparison.Ordinal));
        Assert.True(titleIndex >= 0, "no profiler report in:\n" + text);
        var cells = lines.Skip(titleIndex + 1)
            .TakeWhile(line => line.StartsWith('|') || line.StartsWith('-'))
            .Where(line => line.StartsWith('|'))
            .Select(line => line.Trim('|').Split('|').Select(cell => cell.Trim()).ToArray())
            .ToList();
        Assert.Equal(["Action", "Mean duration (s)", "Num calls", "Total time (s)", "Percentage %"], cells[0]);
        var total = cells[1];
        Assert.Equal(["Total", "-"], total[..2]);
        Assert.Equal("100 %", total[4]);
        var rows = cells.Skip(2)
            .Select(row => new ProfilerTableRow(row[0], Number(row[1]), long.Parse(row[2], CultureInfo.InvariantCulture), Number(row[3]), Number(row[4])))
            .ToList();
        return new ProfilerTable(lines[titleIndex], long.Parse(total[2], CultureInfo.InvariantCulture), Number(total[3]), rows);
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
