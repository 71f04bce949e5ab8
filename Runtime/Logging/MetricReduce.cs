namespace Volt;

/// <summary>How the values a metric receives during an epoch become its epoch value.</summary>
public enum MetricReduce
{
    /// <summary>The mean, weighted by batch size (Lightning's default <c>reduce_fx="mean"</c>).</summary>
    Mean,

    /// <summary>The sum of the raw values; batch size is ignored.</summary>
    Sum,

    /// <summary>The smallest value.</summary>
    Min,

    /// <summary>The largest value.</summary>
    Max,
}
