using System;
using TorchSharp;
using Volt.Metrics;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Metrics;

/// <summary>Float comparisons with an explicit tolerance, and reading a metric's value.</summary>
internal static class MetricAssert
{
    public static void Close(double expected, double actual, double tolerance = 1e-9, string? what = null)
    {
        var ok = double.IsNaN(expected) ? double.IsNaN(actual) : Math.Abs(expected - actual) <= tolerance;
        Assert.True(ok, $"{what ?? "value"}: expected {expected:R}, got {actual:R} (tolerance {tolerance})");
    }

    public static void Close(double[] expected, double[] actual, double tolerance = 1e-9, string? what = null)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Close(expected[i], actual[i], tolerance, $"{what ?? "value"}[{i}]");
        }
    }

    /// <summary>The metric's scalar value.</summary>
    public static double Value(Metric metric)
    {
        using var scope = NewDisposeScope();
        return metric.Compute().item<double>();
    }

    /// <summary>The metric's values as a flat double array.</summary>
    public static double[] Values(Metric metric)
    {
        using var scope = NewDisposeScope();
        return metric.Compute().to(ScalarType.Float64).reshape(-1).data<double>().ToArray();
    }
}
