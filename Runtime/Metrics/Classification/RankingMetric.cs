using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// The base of the exact ranking metrics (<see cref="AUROC"/>, <see cref="AveragePrecision"/>): every
/// score and target is kept in concatenated states (synced by concatenation), so memory grows with the
/// number of samples. Binary and multilabel preds get a sigmoid and multiclass preds a softmax when a
/// batch lies outside [0, 1]; ignored targets are dropped at compute time (multilabel: per element).
/// </summary>
public abstract class RankingMetric : Metric
{
    private readonly MetricState scores;
    private readonly MetricState targets;

    /// <summary>Creates the states for <paramref name="task"/>.</summary>
    /// <param name="name">The module name.</param>
    /// <param name="task">What is classified.</param>
    /// <param name="average">How per-class (per-label) values combine: macro, weighted or none; multilabel also micro.</param>
    /// <exception cref="ArgumentException">The task uses top-k, or the average is micro for a binary or multiclass task.</exception>
    private protected RankingMetric(string name, ClassificationTask task, Average average)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.TopK != 1)
        {
            throw new ArgumentException($"{name} ranks scores and takes no top-k, but the task has topK = {task.TopK}.", nameof(task));
        }

        if (average == Average.Micro && task.Kind != ClassificationKind.Multilabel)
        {
            throw new ArgumentException($"{name}: average must be Macro, Weighted or None for a {task.Kind} task (one-vs-rest per class), not Micro; Micro pools the labels of a multilabel task.", nameof(average));
        }

        Task = task;
        Average = average;
        scores = AddCatState("preds");
        targets = AddCatState("target");
    }

    /// <summary>What is classified.</summary>
    public ClassificationTask Task { get; }

    /// <summary>How per-class (multiclass) or per-label (multilabel) values combine.</summary>
    public Average Average { get; }

    /// <inheritdoc/>
    protected sealed override void UpdateStates(Tensor preds, Tensor target)
    {
        RequireStateDevice(preds, nameof(preds));
        RequireStateDevice(target, nameof(target));
        if (!preds.is_floating_point() || target.is_floating_point())
        {
            throw new ArgumentException($"{GetType().Name}: preds must be float scores and target integer labels, but they are {preds.dtype} and {target.dtype}.", nameof(preds));
        }

        if (Task.Kind == ClassificationKind.Binary)
        {
            if (!preds.shape.AsSpan().SequenceEqual(target.shape))
            {
                throw ShapeError(preds, target, "preds and target must have the same shape");
            }

            scores.Append(ScoreNormalization.Sigmoid(preds).reshape(-1));
            targets.Append(target.reshape(-1));
            return;
        }

        var c = Task.NumClasses;
        if (Task.Kind == ClassificationKind.Multilabel)
        {
            if (!preds.shape.AsSpan().SequenceEqual(target.shape) || preds.dim() < 2 || preds.size(1) != c)
            {
                throw ShapeError(preds, target, $"preds and target must both be N×{c} (or N×{c}×…)");
            }

            // Extra dimensions are more samples: (N·…)×L, as torchmetrics' multilabel format.
            scores.Append(LabelsLast(ScoreNormalization.Sigmoid(preds)));
            targets.Append(LabelsLast(target));
            return;
        }

        if (preds.dim() != 2 || target.dim() != 1 || preds.size(0) != target.size(0) || preds.size(1) != c)
        {
            throw ShapeError(preds, target, $"preds must be N×{c} scores and target N class indices");
        }

        scores.Append(ScoreNormalization.Softmax(preds));
        targets.Append(target);
    }

    /// <inheritdoc/>
    protected sealed override Tensor ComputeFromStates()
    {
        var allScores = scores.Concatenated();
        var allTargets = targets.Concatenated();
        if (allScores is null || allTargets is null)
        {
            return torch.tensor(double.NaN, ScalarType.Float64);
        }

        allScores = allScores.to(ScalarType.Float64);
        if (Task.Kind == ClassificationKind.Multilabel)
        {
            return Multilabel(allScores, allTargets);
        }

        if (Task.IgnoreIndex is { } ignore)
        {
            var keep = allTargets.ne(ignore).nonzero().reshape(-1);
            allScores = allScores.index_select(0, keep);
            allTargets = allTargets.index_select(0, keep);
        }

        if (Task.Kind == ClassificationKind.Binary)
        {
            RequireLabels(allTargets, 2, "0 or 1");
            return Binary(allScores, allTargets.eq(1), perClass: false);
        }

        var c = Task.NumClasses;
        RequireLabels(allTargets, c, $"class indices in [0, {c})");
        var perClass = new List<Tensor>(c);
        for (var i = 0; i < c; i++)
        {
            perClass.Add(Binary(allScores.select(1, i), allTargets.eq(i), perClass: true));
        }

        return Reduce(torch.stack(perClass, 0), allTargets.bincount(null, c));
    }

    /// <summary>
    /// Per label, the binary value on that label's scores without its ignored elements (torchmetrics'
    /// <c>_multilabel_roc_compute</c> / <c>_multilabel_precision_recall_curve_compute</c>); micro pools
    /// every element. A label without positives follows the binary rules (AUROC 0, AP 0); a label whose
    /// elements are all ignored is NaN and left out of the averages.
    /// </summary>
    private Tensor Multilabel(Tensor allScores, Tensor allTargets)
    {
        var ignored = Task.IgnoreIndex is { } ignore ? allTargets.eq(ignore) : null;
        var valid = ignored is null ? allTargets.reshape(-1) : allTargets.masked_select(ignored.logical_not());
        RequireLabels(valid, 2, "0 or 1");
        if (Average == Average.Micro)
        {
            var pooled = ignored is null ? allScores.reshape(-1) : allScores.masked_select(ignored.logical_not());
            return Binary(pooled, valid.eq(1), perClass: false);
        }

        var perLabel = new List<Tensor>(Task.NumClasses);
        for (var i = 0; i < Task.NumClasses; i++)
        {
            var labelScores = allScores.select(1, i);
            var labelTargets = allTargets.select(1, i);
            if (ignored is not null)
            {
                var keep = ignored.select(1, i).logical_not();
                labelScores = labelScores.masked_select(keep);
                labelTargets = labelTargets.masked_select(keep);
            }

            perLabel.Add(Binary(labelScores, labelTargets.eq(1), perClass: false));
        }

        return Reduce(torch.stack(perLabel, 0), allTargets.eq(1).sum(dim: 0));
    }

    /// <summary>torchmetrics' <c>_reduce_auroc</c> / <c>_reduce_average_precision</c>: NaN values are left out; weighted uses <paramref name="support"/>.</summary>
    private Tensor Reduce(Tensor values, Tensor support)
    {
        if (Average == Average.None)
        {
            return values;
        }

        var known = values.isnan().logical_not();
        var weights = Average == Average.Weighted
            ? support.to(ScalarType.Float64)
            : torch.ones(values.size(0), ScalarType.Float64, device: values.device);
        weights = weights.mul(known);
        return StatScoreReduction.SafeDivide(values.nan_to_num(0.0).mul(weights).sum(), weights.sum());
    }

    /// <summary>N×L×… as (N·…)×L, copied when the labels are not already last.</summary>
    private static Tensor LabelsLast(Tensor tensor)
        => tensor.dim() == 2 ? tensor : tensor.movedim([1L], [-1L]).reshape(-1, tensor.size(1));

    /// <summary>The value for one class against the rest.</summary>
    /// <param name="scores">Scores of the positive class, float64.</param>
    /// <param name="positive">True where the target is the positive class.</param>
    /// <param name="perClass">True for a one-vs-rest class of a multiclass task.</param>
    private protected abstract Tensor Binary(Tensor scores, Tensor positive, bool perClass);

    private void RequireLabels(Tensor allTargets, int classes, string expected)
    {
        var outside = allTargets.lt(0).logical_or_(allTargets.ge(classes)).sum().item<long>();
        if (outside > 0)
        {
            throw new InvalidOperationException($"{GetType().Name}: {outside} of the updates' targets were not {expected}{(Task.IgnoreIndex is { } i ? $" or the ignore index {i}" : string.Empty)}.");
        }
    }

    private ArgumentException ShapeError(Tensor preds, Tensor target, string rule)
        => new($"{GetType().Name} ({Task.Kind}): {rule}, but preds are [{string.Join(", ", preds.shape)}] and target is [{string.Join(", ", target.shape)}].", nameof(preds));
}

/// <summary>
/// The area under the ROC curve, exact (torchmetrics' <c>AUROC</c> with <c>thresholds=None</c>): binary,
/// multiclass one-vs-rest on per-class probabilities, or multilabel per label. As in torchmetrics, a class or
/// label without positive or without negative targets counts that rate as 0, so its AUROC is 0 (scikit-learn
/// refuses such input).
/// </summary>
/// <param name="task">Binary, multiclass or multilabel.</param>
/// <param name="average">Macro (the mean of per-class or per-label AUCs), Weighted (by positives), None (one per class or label), or for multilabel Micro (all elements pooled into one binary AUROC).</param>
public sealed class AUROC(ClassificationTask task, Average average = Average.Macro) : RankingMetric(nameof(AUROC), task, average)
{
    /// <inheritdoc/>
    private protected override Tensor Binary(Tensor scores, Tensor positive, bool perClass) => BinaryCurves.Auroc(scores, positive);
}

/// <summary>
/// Average precision, exact (torchmetrics' <c>AveragePrecision</c> with <c>thresholds=None</c>, scikit-learn's
/// <c>average_precision_score</c>): Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds. Binary, multiclass one-vs-rest,
/// or multilabel per label. As in torchmetrics, a multiclass class with no positive targets is NaN and left out
/// of the averages, while a binary task or a multilabel label with no positives is 0.
/// </summary>
/// <param name="task">Binary, multiclass or multilabel.</param>
/// <param name="average">Macro, Weighted (by positives), None (one per class or label), or for multilabel Micro (all elements pooled).</param>
public sealed class AveragePrecision(ClassificationTask task, Average average = Average.Macro) : RankingMetric(nameof(AveragePrecision), task, average)
{
    /// <inheritdoc/>
    private protected override Tensor Binary(Tensor scores, Tensor positive, bool perClass) => BinaryCurves.AveragePrecision(scores, positive, noPositivesIsNaN: perClass);
}
