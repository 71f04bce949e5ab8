using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace Volt.Benchmarks;

/// <summary>Median and spread of repeated measurements.</summary>
/// <param name="Values">The measurements, in the order they were taken.</param>
public sealed record Sample(IReadOnlyList<double> Values)
{
    public double Median => Percentile(0.5);

    public double Min => Values.Min();

    public double Max => Values.Max();

    /// <summary>Half the distance between the 25th and 75th percentiles, relative to the median.</summary>
    public double RelativeSpread => (Percentile(0.75) - Percentile(0.25)) / 2 / Median;

    public double Percentile(double p)
    {
        var sorted = Values.OrderBy(v => v).ToArray();
        var position = p * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    public string Format(string unit, string format = "F3")
        => string.Create(CultureInfo.InvariantCulture, $"median {Median.ToString(format, CultureInfo.InvariantCulture)} {unit} (min {Min.ToString(format, CultureInfo.InvariantCulture)}, max {Max.ToString(format, CultureInfo.InvariantCulture)}, ±{RelativeSpread:P1} IQR/2, n={Values.Count})");
}

/// <summary>Runs two workloads interleaved (A B, B A, A B, ...) so drift in machine state hits both alike.</summary>
public static class Interleaved
{
    public static (Sample A, Sample B) Run(int repeats, Func<double> a, Func<double> b)
    {
        var aValues = new List<double>();
        var bValues = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            if (i % 2 == 0)
            {
                aValues.Add(a());
                bValues.Add(b());
            }
            else
            {
                bValues.Add(b());
                aValues.Add(a());
            }
        }

        return (new Sample(aValues), new Sample(bValues));
    }

    /// <summary>Times <paramref name="action"/> in seconds after a full garbage collection.</summary>
    public static double Seconds(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var clock = Stopwatch.StartNew();
        action();
        return clock.Elapsed.TotalSeconds;
    }
}

/// <summary>Runs several workloads interleaved in a rotating order (A B C, B C A, C A B, ...) so a change of machine load spreads over all of them.</summary>
public static class Rotation
{
    /// <summary>Runs every workload once untimed (warm-up), then <paramref name="repeats"/> rounds; returns one sample per workload, in the given order.</summary>
    public static Sample[] Run(int repeats, IReadOnlyList<Func<double>> workloads)
    {
        foreach (var workload in workloads)
        {
            workload();
        }

        var values = workloads.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < repeats; round++)
        {
            for (var j = 0; j < workloads.Count; j++)
            {
                var index = (round + j) % workloads.Count;
                values[index].Add(workloads[index]());
            }
        }

        return [.. values.Select(v => new Sample(v))];
    }
}
