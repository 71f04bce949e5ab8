using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>Precision tp / (tp + fp) (torchmetrics' <c>Precision</c>); a 0/0 gives <paramref name="zeroDivision"/>.</summary>
/// <param name="task">What is classified.</param>
/// <param name="average">How per-class scores combine; torchmetrics' wrapper default is micro.</param>
/// <param name="zeroDivision">The score of a class with tp + fp = 0.</param>
public sealed class Precision(ClassificationTask task, Average average = Average.Micro, double zeroDivision = 0) : ConfusionCountsMetric(nameof(Precision), task)
{
    /// <summary>How per-class scores combine.</summary>
    public Average Average { get; } = average;

    /// <inheritdoc/>
    protected override Tensor ComputeFromStates()
    {
        var (tp, fp, _, fn) = Stats();
        return StatScoreReduction.PrecisionOrRecall(Task.Kind, Average, Task.TopK, zeroDivision, tp, fp, fn, other: fp);
    }
}
