using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// The base of the counting classification metrics (accuracy, precision, recall, F-beta, confusion
/// matrix): one summed state of confusion counts; an update computes every sample's bin and adds ones there
/// with a single <c>index_add_</c>.
/// </summary>
/// <remarks>
/// Layout of the <c>bins</c> state: binary and multiclass keep an S×S matrix (S = C + 1; rows target,
/// columns prediction) whose last row and column count targets ≥ C and predicted labels ≥ C, so bad
/// input is found at compute time without reading values back per step; multilabel keeps one 3×3 block
/// per label the same way. The final bin counts ignored targets. Negative values other than the ignore
/// index fail at once.
/// </remarks>
public abstract class ConfusionCountsMetric : Metric
{
    private readonly MetricState bins;
    private readonly Scalar stride;
    private readonly Scalar invalidLabel;
    private readonly Scalar ignoredBin;
    private readonly long binCount;
    private readonly Scalar one = 1;
    private Tensor? labelOffsets;
    private Tensor? ones;

    /// <summary>Creates the counting state for <paramref name="task"/>.</summary>
    /// <param name="name">The module name.</param>
    /// <param name="task">What is classified.</param>
    protected ConfusionCountsMetric(string name, ClassificationTask task)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(task);
        Task = task;
        var c = task.NumClasses;
        var counted = task.Kind == ClassificationKind.Multilabel ? 9L * c : (long)(c + 1) * (c + 1);
        binCount = counted + 1;
        stride = task.Kind == ClassificationKind.Multilabel ? 3 : c + 1;
        invalidLabel = task.Kind == ClassificationKind.Multiclass ? c : 2;
        ignoredBin = counted;
        using var zeros = torch.zeros(binCount, ScalarType.Int64);
        bins = AddState("bins", zeros, StateReduction.Sum);
    }

    /// <summary>What the metric classifies.</summary>
    public ClassificationTask Task { get; }

    /// <inheritdoc/>
    protected sealed override void UpdateStates(Tensor preds, Tensor target) => AddToBins(BinIndex(preds, target));

    /// <summary>
    /// The bin of every sample of the batch, checked against the task (shapes, dtypes, devices), as a new
    /// 1-D int64 tensor in the caller's dispose scope. Metrics of equal tasks compute the same index, so
    /// a <see cref="MetricCollection"/> computes it once and hands it to each (<see cref="UpdateFromBinIndex"/>).
    /// </summary>
    internal Tensor BinIndex(Tensor preds, Tensor target)
    {
        RequireStateDevice(preds, nameof(preds));
        RequireStateDevice(target, nameof(target));
        if (target.is_floating_point())
        {
            throw new ArgumentException($"{GetType().Name}: target must hold integer class indices or 0/1 labels, but its dtype is {target.dtype}.", nameof(target));
        }

        var (index, flatTarget) = Task.Kind switch
        {
            ClassificationKind.Multiclass => MulticlassIndex(preds, target),
            ClassificationKind.Binary => BinaryIndex(preds, target),
            _ => MultilabelIndex(preds, target),
        };

        if (Task.IgnoreIndex is { } ignore)
        {
            index.masked_fill_(flatTarget.eq(ignore), ignoredBin);
        }

        return index;
    }

    /// <summary>
    /// Adds a batch whose <see cref="BinIndex"/> a metric of an equal task computed (a
    /// <see cref="MetricCollection"/>'s shared update), then counts the update like <see cref="Metric.Update"/>.
    /// </summary>
    internal void UpdateFromBinIndex(Tensor index)
    {
        AddToBins(index);
        RecordUpdate();
    }

    /// <summary>Whether <see cref="BinIndex"/> of <paramref name="other"/> fits this metric: an equal task and states on the same device.</summary>
    internal bool SharesBinIndexWith(ConfusionCountsMetric other)
        => Task == other.Task && StateDevice.type == other.StateDevice.type && StateDevice.index == other.StateDevice.index;

    /// <summary>Counts every sample into its bin (one libtorch call on the CPU).</summary>
    private void AddToBins(Tensor index)
    {
        try
        {
            if (index.device_type == DeviceType.CPU)
            {
                // index_add_ checks bounds on the host, so a negative index (a negative target or label) throws here.
                bins.Value.index_add_(0, index, Ones(index), one);
            }
            else
            {
                // On an accelerator index_add_'s bounds check is a device-side assert that ends the process;
                // bincount checks for negative values itself and throws.
                bins.Value.add_(index.bincount(null, binCount));
            }
        }
        catch (ExternalException error)
        {
            throw new ArgumentException(
                $"{GetType().Name}: target holds a negative value{(Task.IgnoreIndex is { } i ? $" other than the ignore index {i}" : string.Empty)}, or preds a negative label; "
                + $"targets must be {(Task.Kind == ClassificationKind.Multiclass ? $"class indices in [0, {Task.NumClasses})" : "0 or 1")}.",
                "target",
                error);
        }
    }

    /// <summary>A cached int64 vector of ones as long as <paramref name="index"/>, on its device (the weights index_add_ adds).</summary>
    private Tensor Ones(Tensor index)
    {
        var length = index.size(0);
        if (ones is null || ones.size(0) != length || ones.device_type != index.device_type || ones.device_index != index.device_index)
        {
            ones?.Dispose();
            ones = torch.ones(length, ScalarType.Int64, index.device).DetachFromDisposeScope();
        }

        return ones;
    }

    /// <summary>
    /// The confusion counts as int64: C×C (rows target, columns prediction) for binary and multiclass,
    /// L×2×2 for multilabel. A new tensor in the caller's dispose scope.
    /// </summary>
    /// <exception cref="InvalidOperationException">Some update held a target or label ≥ the number of classes (or not 0/1).</exception>
    protected Tensor ConfusionCounts()
    {
        var c = Task.NumClasses;
        var counted = bins.Value.narrow(0, 0, binCount - 1);
        Tensor blocks = Task.Kind == ClassificationKind.Multilabel ? counted.view(c, 3, 3) : counted.view(1, c + 1, c + 1);
        var size = Task.Kind == ClassificationKind.Multilabel ? 2 : c;
        var invalid = blocks.narrow(1, size, 1).sum().item<long>() + blocks.narrow(2, size, 1).sum().item<long>();
        if (invalid > 0)
        {
            var expected = Task.Kind == ClassificationKind.Multiclass ? $"class indices in [0, {c})" : "0 or 1";
            throw new InvalidOperationException($"{GetType().Name}: {invalid} of the updates' targets or predicted labels were not {expected}.");
        }

        var valid = blocks.narrow(1, 0, size).narrow(2, 0, size);
        return Task.Kind == ClassificationKind.Multilabel ? valid.clone() : valid.squeeze(0).clone();
    }

    /// <summary>True positives, false positives, true negatives and false negatives per class as float64 (one entry for binary).</summary>
    protected (Tensor Tp, Tensor Fp, Tensor Tn, Tensor Fn) Stats()
    {
        var counts = ConfusionCounts().to(ScalarType.Float64);
        if (Task.Kind == ClassificationKind.Multilabel)
        {
            return (counts[.., 1, 1], counts[.., 0, 1], counts[.., 0, 0], counts[.., 1, 0]);
        }

        if (Task.Kind == ClassificationKind.Binary)
        {
            return (counts[1, 1].reshape(1), counts[0, 1].reshape(1), counts[0, 0].reshape(1), counts[1, 0].reshape(1));
        }

        var tp = counts.diag();
        var fp = counts.sum(dim: 0).sub(tp);
        var fn = counts.sum(1).sub(tp);
        var tn = counts.sum().sub(tp).sub(fp).sub(fn);
        return (tp, fp, tn, fn);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            stride.Dispose();
            invalidLabel.Dispose();
            ignoredBin.Dispose();
            one.Dispose();
            labelOffsets?.Dispose();
            ones?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The bin of every sample, and the targets flattened in the same order.</summary>
    private (Tensor Index, Tensor FlatTarget) MulticlassIndex(Tensor preds, Tensor target)
    {
        var c = Task.NumClasses;
        var flatTarget = target.dim() == 1 ? target : target.reshape(-1);
        Tensor label;
        if (preds.is_floating_point())
        {
            if (preds.dim() != target.dim() + 1 || preds.size(1) != c)
            {
                throw ShapeError(preds, target, $"float preds must be N×{c} scores (N×{c}×… with target N×…)");
            }

            var scores = preds.dim() == 2 ? preds : preds.movedim([1L], [-1L]).reshape(-1, c);
            label = Task.TopK == 1 ? scores.argmax(1) : TopKLabel(scores, flatTarget);
        }
        else
        {
            if (!preds.shape.AsSpan().SequenceEqual(target.shape))
            {
                throw ShapeError(preds, target, "integer preds must be class indices shaped like target");
            }

            if (Task.TopK > 1)
            {
                throw new ArgumentException($"{GetType().Name}: topK = {Task.TopK} needs N×{c} scores, but preds are class indices.", nameof(preds));
            }

            label = preds.reshape(-1).clamp_max(invalidLabel);
        }

        if (label.size(0) != flatTarget.size(0))
        {
            throw ShapeError(preds, target, "preds and target must describe the same samples");
        }

        return (label.add(flatTarget.clamp_max(invalidLabel), stride), flatTarget);
    }

    /// <summary>torchmetrics' top-k refinement: the target when it is among the k best scores, else the best one.</summary>
    private Tensor TopKLabel(Tensor scores, Tensor target)
    {
        var (_, indexes) = scores.topk(Task.TopK, 1);
        var hit = indexes.eq(target.unsqueeze(1)).any(1);
        return torch.where(hit, target, indexes.select(1, 0));
    }

    private (Tensor Index, Tensor FlatTarget) BinaryIndex(Tensor preds, Tensor target)
    {
        if (!preds.shape.AsSpan().SequenceEqual(target.shape))
        {
            throw ShapeError(preds, target, "preds and target must have the same shape");
        }

        var flatTarget = target.reshape(-1);
        return (Label(preds).reshape(-1).add(flatTarget.clamp_max(invalidLabel), stride), flatTarget);
    }

    private (Tensor Index, Tensor FlatTarget) MultilabelIndex(Tensor preds, Tensor target)
    {
        var labels = Task.NumClasses;
        if (!preds.shape.AsSpan().SequenceEqual(target.shape) || preds.dim() < 2 || preds.size(1) != labels)
        {
            throw ShapeError(preds, target, $"preds and target must both be N×{labels} (or N×{labels}×…)");
        }

        var local = Label(preds).add(target.clamp_max(invalidLabel), stride);
        var perLabel = local.dim() == 2 ? local : local.movedim([1L], [-1L]).reshape(-1, labels);
        if (labelOffsets is null || labelOffsets.device_type != perLabel.device_type || labelOffsets.device_index != perLabel.device_index)
        {
            labelOffsets?.Dispose();
            labelOffsets = torch.arange(0L, 9L * labels, 9L, device: perLabel.device).DetachFromDisposeScope();
        }

        var flatTarget = target.dim() == 2 ? target.reshape(-1) : target.movedim([1L], [-1L]).reshape(-1);
        return (perLabel.add(labelOffsets).reshape(-1), flatTarget);
    }

    /// <summary>Scores to 0/1 labels: sigmoid when outside [0, 1], then above the threshold; integer preds are labels already.</summary>
    private Tensor Label(Tensor preds)
        => preds.is_floating_point()
            ? ScoreNormalization.Sigmoid(preds).gt(Task.Threshold)
            : preds.clamp_max(invalidLabel);

    private ArgumentException ShapeError(Tensor preds, Tensor target, string rule)
        => new($"{GetType().Name} ({Task.Kind}): {rule}, but preds are [{string.Join(", ", preds.shape)}] {preds.dtype} and target is [{string.Join(", ", target.shape)}].", nameof(preds));
}
