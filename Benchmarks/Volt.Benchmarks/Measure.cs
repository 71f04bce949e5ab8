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
    /// <summary>
    /// Runs every workload once untimed (warm-up), then <paramref name="repeats"/> rounds; returns per workload,
    /// in the given order, the samples of the two numbers each run returns (wall and CPU time).
    /// </summary>
    public static (Sample Wall, Sample Cpu)[] Run(int repeats, IReadOnlyList<Func<(double Wall, double Cpu)>> workloads)
    {
        foreach (var workload in workloads)
        {
            workload();
        }

        var wall = workloads.Select(_ => new List<double>()).ToArray();
        var cpu = workloads.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < repeats; round++)
        {
            for (var j = 0; j < workloads.Count; j++)
            {
                var index = (round + j) % workloads.Count;
                var (w, c) = workloads[index]();
                wall[index].Add(w);
                cpu[index].Add(c);
            }
        }

        return [.. wall.Zip(cpu, (w, c) => (new Sample(w), new Sample(c)))];
    }
}

/// <summary>
/// The CPU time the calling thread has used (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>). Unlike wall time it does
/// not count the time the thread waits while other processes hold the cores, so on a shared machine it
/// measures the work itself. With one TorchSharp thread every tensor operation runs on the calling thread.
/// </summary>
public static partial class ThreadCpuClock
{
    private const int ThreadCpuTimeId = 3;

    /// <summary>Runs <paramref name="action"/> (after a full garbage collection) and returns its wall time and the thread's CPU time, in seconds.</summary>
    public static (double Wall, double Cpu) Seconds(Action action)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var cpuStart = Now();
        var clock = Stopwatch.StartNew();
        action();
        var wall = clock.Elapsed.TotalSeconds;
        return (wall, Now() - cpuStart);
    }

    /// <summary>The calling thread's CPU time so far, in seconds.</summary>
    public static double Now()
    {
        if (ClockGetTime(ThreadCpuTimeId, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed; the thread CPU clock needs Linux.");
        }

        return time.Seconds + (time.Nanoseconds * 1e-9);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
