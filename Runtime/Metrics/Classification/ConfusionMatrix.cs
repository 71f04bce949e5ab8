using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>How <see cref="ConfusionMatrix"/> normalizes its counts.</summary>
public enum ConfusionMatrixNormalization
{
    /// <summary>Raw counts (int64).</summary>
    None,

    /// <summary>Each row (target class) divided by its sum.</summary>
    True,

    /// <summary>Each column (predicted class) divided by its sum.</summary>
    Pred,

    /// <summary>Every cell divided by the total.</summary>
    All,
}

/// <summary>
/// The confusion matrix (torchmetrics' <c>ConfusionMatrix</c>): rows are targets, columns predictions;
/// C×C for binary (C = 2) and multiclass, L×2×2 for multilabel. Normalized cells that divide by 0 are 0.
/// Top-k is not used: the prediction is the best score.
/// </summary>
/// <param name="task">What is classified.</param>
/// <param name="normalize">How the counts are normalized.</param>
public sealed class ConfusionMatrix(ClassificationTask task, ConfusionMatrixNormalization normalize = ConfusionMatrixNormalization.None)
    : ConfusionCountsMetric(nameof(ConfusionMatrix), task is { Kind: ClassificationKind.Multiclass, TopK: > 1 } ? ClassificationTask.Multiclass(task.NumClasses, 1, task.IgnoreIndex) : task)
{
    /// <summary>How the counts are normalized.</summary>
    public ConfusionMatrixNormalization Normalize { get; } = normalize;

    /// <inheritdoc/>
    protected override Tensor ComputeFromStates()
    {
        var counts = ConfusionCounts();
        if (Normalize == ConfusionMatrixNormalization.None)
        {
            return counts;
        }

        var values = counts.to(ScalarType.Float64);
        var last = values.dim() - 1;
        var denominator = Normalize switch
        {
            ConfusionMatrixNormalization.True => values.sum(last, keepdim: true),
            ConfusionMatrixNormalization.Pred => values.sum(last - 1, keepdim: true),
            _ => values.dim() == 3 ? values.sum([1L, 2L], keepdim: true) : values.sum(),
        };

        return StatScoreReduction.SafeDivide(values, denominator.expand_as(values));
    }
}
