using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// The base of the exact ranking metrics (<see cref="AUROC"/>, <see cref="AveragePrecision"/>): every
/// score and target is kept in concatenated states (synced by concatenation), so memory grows with the
/// number of samples. Binary preds get a sigmoid and multiclass preds a softmax when a batch lies
/// outside [0, 1]; ignored targets are dropped at compute time.
/// </summary>
public abstract class RankingMetric : Metric
{
    private readonly MetricState scores;
    private readonly MetricState targets;

    /// <summary>Creates the states for <paramref name="task"/> (binary or multiclass).</summary>
    /// <param name="name">The module name.</param>
    /// <param name="task">What is classified; multilabel is not supported.</param>
    /// <param name="average">How per-class values combine (multiclass): macro, weighted or none.</param>
    /// <exception cref="ArgumentException">The task is multilabel, uses top-k, or the average is micro.</exception>
    private protected RankingMetric(string name, ClassificationTask task, Average average)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.Kind == ClassificationKind.Multilabel || task.TopK != 1)
        {
            throw new ArgumentException($"{name} supports binary and multiclass tasks without top-k, not {task.Kind}{(task.TopK != 1 ? $" with topK = {task.TopK}" : string.Empty)}.", nameof(task));
        }

        if (average == Average.Micro)
        {
            throw new ArgumentException($"{name}: average must be Macro, Weighted or None (one-vs-rest per class), not Micro.", nameof(average));
        }

        Task = task;
        Average = average;
        scores = AddCatState("preds");
        targets = AddCatState("target");
    }

    /// <summary>What is classified.</summary>
    public ClassificationTask Task { get; }

    /// <summary>How per-class values combine (multiclass).</summary>
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

        var values = torch.stack(perClass, 0);
        if (Average == Average.None)
        {
            return values;
        }

        // torchmetrics' _reduce_auroc / _reduce_average_precision: NaN classes are left out.
        var known = values.isnan().logical_not();
        var weights = Average == Average.Weighted
            ? allTargets.bincount(null, c).to(ScalarType.Float64)
            : torch.ones(c, ScalarType.Float64, device: values.device);
        weights = weights.mul(known);
        return StatScoreReduction.SafeDivide(values.nan_to_num(0.0).mul(weights).sum(), weights.sum());
    }

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
/// The area under the ROC curve, exact (torchmetrics' <c>AUROC</c> with <c>thresholds=None</c>): binary, or
/// multiclass one-vs-rest on per-class probabilities. As in torchmetrics, a class without positive or
/// without negative targets counts that rate as 0 (scikit-learn refuses such input).
/// </summary>
/// <param name="task">Binary or multiclass.</param>
/// <param name="average">Multiclass: Macro (the mean of per-class AUCs), Weighted (by support) or None.</param>
public sealed class AUROC(ClassificationTask task, Average average = Average.Macro) : RankingMetric(nameof(AUROC), task, average)
{
    /// <inheritdoc/>
    private protected override Tensor Binary(Tensor scores, Tensor positive, bool perClass) => BinaryCurves.Auroc(scores, positive);
}

/// <summary>
/// Average precision, exact (torchmetrics' <c>AveragePrecision</c> with <c>thresholds=None</c>, scikit-learn's
/// <c>average_precision_score</c>): Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct thresholds. Binary, or multiclass
/// one-vs-rest; a multiclass class with no positive targets is NaN and left out of the averages.
/// </summary>
/// <param name="task">Binary or multiclass.</param>
/// <param name="average">Multiclass: Macro, Weighted (by support) or None.</param>
public sealed class AveragePrecision(ClassificationTask task, Average average = Average.Macro) : RankingMetric(nameof(AveragePrecision), task, average)
{
    /// <inheritdoc/>
    private protected override Tensor Binary(Tensor scores, Tensor positive, bool perClass) => BinaryCurves.AveragePrecision(scores, positive, noPositivesIsNaN: perClass);
}
