using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// Accuracy (torchmetrics' <c>Accuracy</c>): binary (tp + tn) / all; multiclass per class tp / (tp + fn),
/// micro = the fraction of samples whose target is the prediction (or among the top k); multilabel per
/// label (tp + tn) / all.
/// </summary>
/// <param name="task">What is classified.</param>
/// <param name="average">How per-class scores combine; torchmetrics' wrapper default is micro.</param>
public sealed class Accuracy(ClassificationTask task, Average average = Average.Micro) : ConfusionCountsMetric(nameof(Accuracy), task)
{
    /// <summary>How per-class scores combine.</summary>
    public Average Average { get; } = average;

    /// <inheritdoc/>
    protected override Tensor ComputeFromStates()
    {
        var (tp, fp, tn, fn) = Stats();
        return StatScoreReduction.Accuracy(Task.Kind, Average, Task.TopK, tp, fp, tn, fn);
    }
}
