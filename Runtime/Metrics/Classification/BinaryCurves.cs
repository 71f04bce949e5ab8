using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// The exact (unbinned) ROC and precision-recall computations of torchmetrics
/// (<c>functional/classification/precision_recall_curve.py</c> <c>_binary_clf_curve</c>, <c>roc.py</c>,
/// <c>auroc.py</c>, <c>average_precision.py</c>), which follow scikit-learn's <c>_ranking.py</c>:
/// one point per distinct score, so tied scores move together.
/// </summary>
internal static class BinaryCurves
{
    /// <summary>False and true positive counts at every distinct threshold, highest threshold first.</summary>
    private static (Tensor Fps, Tensor Tps) Counts(Tensor scores, Tensor positive)
    {
        var order = scores.argsort(descending: true);
        var sorted = scores.index_select(0, order);
        var sortedPositive = positive.index_select(0, order).to(ScalarType.Float64);
        var n = scores.size(0);
        var distinct = sorted.narrow(0, 1, n - 1).ne(sorted.narrow(0, 0, n - 1)).nonzero().reshape(-1);
        var last = torch.full(1, n - 1, dtype: ScalarType.Int64, device: scores.device);
        var thresholdIndexes = torch.cat([distinct, last], 0);
        var tps = sortedPositive.cumsum(0).index_select(0, thresholdIndexes);
        var fps = thresholdIndexes.to(ScalarType.Float64).add(1).sub(tps);
        return (fps, tps);
    }

    /// <summary>The area under the ROC curve; with no positives (or no negatives) that rate is taken as 0, as torchmetrics does.</summary>
    public static Tensor Auroc(Tensor scores, Tensor positive)
    {
        if (scores.size(0) == 0)
        {
            return torch.tensor(double.NaN, ScalarType.Float64, scores.device);
        }

        var (fps, tps) = Counts(scores, positive);
        var zero = torch.zeros(1, ScalarType.Float64, device: scores.device);
        fps = torch.cat([zero, fps], 0);
        tps = torch.cat([zero, tps], 0);
        var fpr = Rate(fps);
        var tpr = Rate(tps);
        return torch.trapezoid(tpr, fpr);
    }

    /// <summary>
    /// Average precision Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds. No positives: torchmetrics' binary rule
    /// (recall 1 everywhere) when <paramref name="noPositivesIsNaN"/> is false, NaN (its per-class rule) otherwise.
    /// </summary>
    public static Tensor AveragePrecision(Tensor scores, Tensor positive, bool noPositivesIsNaN)
    {
        if (scores.size(0) == 0)
        {
            return torch.tensor(double.NaN, ScalarType.Float64, scores.device);
        }

        var (fps, tps) = Counts(scores, positive);
        var precision = tps.div(tps.add(fps));
        var positives = tps[-1];
        var recall = noPositivesIsNaN
            ? tps.div(positives)
            : torch.where(positives.gt(0), tps.div(positives), torch.ones_like(tps));
        var one = torch.ones(1, ScalarType.Float64, device: scores.device);
        precision = torch.cat([precision.flip(0), one], 0).nan_to_num(0.0);
        var recallCurve = torch.cat([recall.flip(0), torch.zeros(1, ScalarType.Float64, device: scores.device)], 0);
        if (!noPositivesIsNaN)
        {
            recallCurve = recallCurve.nan_to_num(0.0);
        }

        var n = recallCurve.size(0);
        var steps = recallCurve.narrow(0, 1, n - 1).sub(recallCurve.narrow(0, 0, n - 1));
        return steps.mul(precision.narrow(0, 0, n - 1)).sum().neg();
    }

    private static Tensor Rate(Tensor counts)
    {
        var total = counts[-1];
        return torch.where(total.gt(0), counts.div(total), torch.zeros_like(counts));
    }
}
