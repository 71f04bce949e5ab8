namespace Volt.Metrics;

/// <summary>
/// How the copies of one metric state held by different processes combine into one before
/// <see cref="Metric.Compute"/> (torchmetrics' <c>dist_reduce_fx</c>).
/// </summary>
public enum StateReduction
{
    /// <summary>Element-wise sum (counts, sums of errors).</summary>
    Sum,

    /// <summary>Concatenation along dimension 0 (stored predictions and targets).</summary>
    Cat,

    /// <summary>Element-wise maximum.</summary>
    Max,

    /// <summary>Element-wise minimum.</summary>
    Min,
}
