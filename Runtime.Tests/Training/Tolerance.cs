using System.Collections.Generic;
using System.Linq;

namespace Volt.Runtime.Tests.Training;

/// <summary>Element-wise float comparison with an absolute tolerance (never rounding, which can split values 3e-7 apart).</summary>
internal static class Tolerance
{
    public static void AllClose(IReadOnlyList<double> expected, IEnumerable<double> actual, double tolerance)
    {
        var values = actual.ToList();
        Assert.Equal(expected.Count, values.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(System.Math.Abs(expected[i] - values[i]) <= tolerance, $"element {i}: expected {expected[i]:R}, got {values[i]:R} (tolerance {tolerance})");
        }
    }
}
