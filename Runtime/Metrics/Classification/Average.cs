namespace Volt.Metrics.Classification;

/// <summary>
/// How per-class scores become one number (torchmetrics' <c>average</c>). Binary tasks have a single
/// score and ignore it.
/// </summary>
public enum Average
{
    /// <summary>Pool the counts of all classes, then compute one score (torchmetrics' wrapper default).</summary>
    Micro,

    /// <summary>
    /// The unweighted mean of per-class scores. Multiclass leaves out classes absent from both predictions
    /// and targets (with top-k &gt; 1 for accuracy, precision and recall: absent from targets).
    /// </summary>
    Macro,

    /// <summary>The mean of per-class scores weighted by support (the class's number of targets).</summary>
    Weighted,

    /// <summary>No reduction: one score per class.</summary>
    None,
}
