using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// torchmetrics' reductions of tp/fp/tn/fn into scores (<c>functional/classification/accuracy.py</c>,
/// <c>precision_recall.py</c>, <c>f_beta.py</c>, <c>utilities/compute.py</c>), on float64 per-class counts.
/// </summary>
internal static class StatScoreReduction
{
    /// <summary><c>_safe_divide</c>: <paramref name="numerator"/> / <paramref name="denominator"/>, with <paramref name="zeroDivision"/> where the denominator is 0.</summary>
    public static Tensor SafeDivide(Tensor numerator, Tensor denominator, double zeroDivision = 0)
    {
        using var fill = torch.full([], zeroDivision, dtype: numerator.dtype, device: numerator.device);
        return torch.where(denominator.ne(0), numerator.div(denominator), fill);
    }

    /// <summary>
    /// <c>_adjust_weights_safe_divide</c>: the weighted (support) or plain mean of per-class scores; plain
    /// means leave out classes with tp + fp + fn = 0 (top-k &gt; 1: tp + fn = 0), except for multilabel.
    /// </summary>
    public static Tensor Average(Tensor score, Average average, bool multilabel, Tensor tp, Tensor fp, Tensor fn, int topK)
    {
        if (average == Classification.Average.None)
        {
            return score;
        }

        Tensor weights;
        if (average == Classification.Average.Weighted)
        {
            weights = tp.add(fn);
        }
        else
        {
            weights = torch.ones_like(score);
            if (!multilabel)
            {
                var absent = topK == 1 ? tp.add(fp).add(fn).eq(0) : tp.add(fn).eq(0);
                weights.masked_fill_(absent, 0);
            }
        }

        return SafeDivide(weights.mul(score).sum(), weights.sum());
    }

    public static Tensor Accuracy(ClassificationKind kind, Average average, int topK, Tensor tp, Tensor fp, Tensor tn, Tensor fn)
    {
        var multilabel = kind == ClassificationKind.Multilabel;
        if (kind == ClassificationKind.Binary)
        {
            return SafeDivide(tp.add(tn), tp.add(tn).add(fp).add(fn)).squeeze();
        }

        if (average == Classification.Average.Micro)
        {
            return multilabel
                ? SafeDivide(tp.sum().add(tn.sum()), tp.sum().add(tn.sum()).add(fp.sum()).add(fn.sum()))
                : SafeDivide(tp.sum(), tp.sum().add(fn.sum()));
        }

        var score = multilabel ? SafeDivide(tp.add(tn), tp.add(tn).add(fp).add(fn)) : SafeDivide(tp, tp.add(fn));
        return Average(score, average, multilabel, tp, fp, fn, topK);
    }

    /// <summary>Precision (<paramref name="other"/> = fp) or recall (<paramref name="other"/> = fn).</summary>
    public static Tensor PrecisionOrRecall(ClassificationKind kind, Average average, int topK, double zeroDivision, Tensor tp, Tensor fp, Tensor fn, Tensor other)
    {
        if (kind == ClassificationKind.Binary)
        {
            return SafeDivide(tp, tp.add(other), zeroDivision).squeeze();
        }

        if (average == Classification.Average.Micro)
        {
            return SafeDivide(tp.sum(), tp.sum().add(other.sum()), zeroDivision);
        }

        var score = SafeDivide(tp, tp.add(other), zeroDivision);
        return Average(score, average, kind == ClassificationKind.Multilabel, tp, fp, fn, topK);
    }

    /// <summary>F-beta = (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp). As in torchmetrics, macro leaves out classes with tp + fp + fn = 0 whatever top-k is.</summary>
    public static Tensor FBeta(ClassificationKind kind, Average average, double beta, double zeroDivision, Tensor tp, Tensor fp, Tensor fn)
    {
        var beta2 = beta * beta;
        Tensor Score(Tensor t, Tensor p, Tensor n) => SafeDivide(t.mul(1 + beta2), t.mul(1 + beta2).add(n.mul(beta2)).add(p), zeroDivision);
        if (kind == ClassificationKind.Binary)
        {
            return Score(tp, fp, fn).squeeze();
        }

        if (average == Classification.Average.Micro)
        {
            return Score(tp.sum(), fp.sum(), fn.sum());
        }

        return Average(Score(tp, fp, fn), average, kind == ClassificationKind.Multilabel, tp, fp, fn, topK: 1);
    }
}
