using System;
using System.Collections.Generic;

namespace Volt.Tuning;

/// <summary>
/// The derivative of sampled values with respect to their (unevenly spaced) coordinates, as
/// <c>torch.gradient(values, spacing=[coordinates])</c> computes it: second-order central differences
/// inside, first-order one-sided differences at both ends.
/// </summary>
internal static class NonUniformGradient
{
    /// <summary>Returns dy/dx at every sample.</summary>
    /// <param name="y">The values; at least two.</param>
    /// <param name="x">The coordinates, strictly increasing, as many as <paramref name="y"/>.</param>
    public static double[] Compute(IReadOnlyList<double> y, IReadOnlyList<double> x)
    {
        if (y.Count != x.Count || y.Count < 2)
        {
            throw new ArgumentException($"The gradient needs at least two samples with one coordinate each; got {y.Count} values and {x.Count} coordinates.");
        }

        var n = y.Count;
        var gradient = new double[n];
        gradient[0] = (y[1] - y[0]) / (x[1] - x[0]);
        gradient[n - 1] = (y[n - 1] - y[n - 2]) / (x[n - 1] - x[n - 2]);
        for (var i = 1; i < n - 1; i++)
        {
            var left = x[i] - x[i - 1];
            var right = x[i + 1] - x[i];
            gradient[i] = ((left * left * y[i + 1]) - (right * right * y[i - 1]) + (((right * right) - (left * left)) * y[i]))
                / (left * right * (left + right));
        }

        return gradient;
    }
}
