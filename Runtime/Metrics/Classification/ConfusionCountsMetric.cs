using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// The base of the counting classification metrics (accuracy, precision, recall, F-beta, confusion
/// matrix): one summed state of confusion counts. An update computes every sample's bin and adds ones
/// there with a single <c>index_add_</c>.
/// </summary>
/// <remarks>
/// <para>
/// Layout of the <c>bins</c> state: binary and multiclass keep an S×S matrix (S = C + 1; rows target,
/// columns prediction) whose last row and column count targets and predicted labels outside the task's
/// range (negative or ≥ C; for binary and multilabel: not 0 or 1), so bad values are reported by
/// <see cref="Metric.Compute"/> without reading values back per step; multilabel keeps one 3×3 block per
/// label the same way. The final bin counts ignored targets.
/// </para>
/// <para>
/// The common case, multiclass scores on the CPU with top-1 and no ignore index, rejects a target outside
/// [0, C) at the update, before the state is touched, naming it. Contiguous float32 or float64 scores
/// with int64 targets are counted without any libtorch call: the argmax and the bins are computed in
/// managed code over the tensors' memory (<see cref="HostScoreBins"/>). Other CPU batches take three
/// libtorch calls (argmax, the bin index, <c>index_add_</c>) plus one <c>index_add_</c> into a scratch
/// tensor as long as the rows of valid targets: <c>index_add_</c> checks its indexes on the host, so a
/// bad target fails there (a failing <c>index_add_</c> may have added part of the batch, hence the
/// scratch). The other cases map bad values into the extra row and column first, which costs two or three
/// more calls but never trips a device-side assert on an accelerator.
/// </para>
/// </remarks>
public abstract class ConfusionCountsMetric : Metric
{
    private readonly MetricState bins;
    private readonly Scalar stride;
    private readonly Scalar invalidLabel;
    private readonly Scalar ignoredBin;
    private readonly long binCount;
    private readonly Scalar one = 1;
    private readonly HostScoreBins hostBins = new();
    private readonly Func<long, long, Exception> outOfRangeTarget;
    private readonly bool countsOnHost;
    private Tensor? hostCountsTensor;
    private nint hostCountsData;
    private Tensor? rangeCheck;
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
        outOfRangeTarget = (value, position) => OutOfRangeTarget(value, position);
        countsOnHost = task.Kind == ClassificationKind.Multiclass && task.TopK == 1 && task.IgnoreIndex is null;
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
    protected sealed override void UpdateStates(Tensor preds, Tensor target) => AddToBins(Bins(preds, target));

    /// <inheritdoc/>
    private protected sealed override bool TryUpdateWithoutTensors(Tensor preds, Tensor target)
    {
        if (!TryHostBins(preds, target, out var batch))
        {
            return false;
        }

        AddToBins(batch);
        return true;
    }

    /// <summary>
    /// The bins of a batch computed in managed code (<see cref="HostScoreBins"/>) when it fits: multiclass top-1
    /// without an ignore index, states on the CPU, contiguous N×C float32 or float64 scores and N int64 targets.
    /// False leaves the batch to <see cref="Bins"/>, which checks everything and names what is wrong.
    /// </summary>
    internal bool TryHostBins(Tensor preds, Tensor target, out BatchBins batch)
    {
        if (!countsOnHost || StateDevice.type != DeviceType.CPU || !HostScoreBins.Applies(preds, target, Task.NumClasses))
        {
            batch = default;
            return false;
        }

        batch = new BatchBins(hostBins.Compute(preds, target, Task.NumClasses, outOfRangeTarget));
        return true;
    }

    /// <summary>
    /// The bin of every sample (or label) of the batch, checked against the task (shapes, dtypes, devices):
    /// a new 1-D int64 tensor in the caller's dispose scope or indexes in host memory; every index is in range
    /// of the state. Metrics of equal tasks compute the same bins, so a <see cref="MetricCollection"/> computes
    /// them once and hands them to each (<see cref="UpdateFromBins"/>).
    /// </summary>
    internal BatchBins Bins(Tensor preds, Tensor target)
    {
        RequireStateDevice(preds, nameof(preds));
        RequireStateDevice(target, nameof(target));
        if (target.is_floating_point())
        {
            throw new ArgumentException($"{GetType().Name}: target must hold integer class indices or 0/1 labels, but its dtype is {target.dtype}.", nameof(target));
        }

        if (Task.Kind == ClassificationKind.Multiclass && preds.is_floating_point())
        {
            return MulticlassScoreBins(preds, target);
        }

        var (labels, targets) = Task.Kind switch
        {
            ClassificationKind.Multiclass => MulticlassLabels(preds, target),
            ClassificationKind.Binary => BinaryLabels(preds, target),
            _ => MultilabelLabels(preds, target),
        };

        return new BatchBins(MappedIndex(labels, targets, labelsInRange: false));
    }

    /// <summary>
    /// Adds a batch whose <see cref="Bins"/> a metric of an equal task computed (a
    /// <see cref="MetricCollection"/>'s shared update), then counts the update like <see cref="Metric.Update"/>.
    /// </summary>
    internal void UpdateFromBins(BatchBins batch)
    {
        AddToBins(batch);
        RecordUpdate();
    }

    /// <summary>Whether <see cref="Bins"/> of <paramref name="other"/> fit this metric: an equal task and states on the same device.</summary>
    internal bool SharesBinsWith(ConfusionCountsMetric other)
        => Task == other.Task && StateDevice.type == other.StateDevice.type && StateDevice.index == other.StateDevice.index;

    /// <summary>
    /// Counts every sample into its bin (every index is in range): one <c>index_add_</c> of cached ones, or
    /// for bins in host memory an increment each, straight in the state's memory when it is a contiguous CPU tensor.
    /// </summary>
    private void AddToBins(BatchBins batch)
    {
        if (batch.Device is { } index)
        {
            bins.Value.index_add_(0, index, Ones(index), one);
        }
        else
        {
            var counts = HostCounts();
            foreach (var bin in batch.Host.AsSpan())
            {
                counts[(int)bin]++;
            }
        }
    }

    /// <summary>
    /// The <c>bins</c> state's memory, for bins computed on the host: the state is a contiguous CPU tensor (host
    /// bins are only computed for CPU states) that is only ever changed in place, so its data pointer is read once
    /// per state tensor and kept while the state holds that tensor.
    /// </summary>
    private unsafe Span<long> HostCounts()
    {
        var state = bins.Value;
        if (!ReferenceEquals(state, hostCountsTensor))
        {
            hostCountsData = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetReference(state.bytes));
            hostCountsTensor = state;
        }

        return new Span<long>((void*)hostCountsData, (int)binCount);
    }

    /// <summary>
    /// Rejects a CPU batch whose target left [0, C) before anything is counted: its indexes are added into a
    /// scratch tensor as long as the rows of valid targets (never read), whose host-side bounds check fails on
    /// any other index.
    /// </summary>
    private void RequireTargetsInRange(Tensor index, Tensor targets)
    {
        var c = (long)Task.NumClasses;
        rangeCheck ??= torch.zeros(c * (c + 1), ScalarType.Int64).DetachFromDisposeScope();
        try
        {
            rangeCheck.index_add_(0, index, Ones(index), one);
        }
        catch (ExternalException error)
        {
            throw OutOfRangeTarget(targets, error);
        }
    }

    /// <summary>The error of a multiclass batch whose targets left [0, C): it names the first such target.</summary>
    private ArgumentException OutOfRangeTarget(Tensor targets, Exception error)
    {
        using var scope = torch.NewDisposeScope();
        var outside = targets.lt(0).logical_or(targets.ge(Task.NumClasses)).nonzero();
        return outside.numel() == 0
            ? OutOfRangeTarget("an index libtorch rejected", error)
            : OutOfRangeTarget(targets[outside[0, 0]].item<long>(), outside[0, 0].item<long>(), error);
    }

    /// <summary>The error naming target <paramref name="value"/> at <paramref name="position"/> of the flattened batch.</summary>
    private ArgumentException OutOfRangeTarget(long value, long position, Exception? error = null)
        => OutOfRangeTarget($"{value} at position {position} of the batch (flattened)", error);

    private ArgumentException OutOfRangeTarget(string where, Exception? error)
        => new($"{GetType().Name}: target holds {where}; targets must be class indices in [0, {Task.NumClasses}).", "target", error);

    /// <summary>
    /// The bin of every label for the general case (<paramref name="labelsInRange"/>: taken from scores, so
    /// in range): row the target, column the predicted label, values outside the task's range in the extra row
    /// and column, ignored targets in the last bin; multilabel adds each label's block offset. Every index is
    /// in range, so <c>index_add_</c> cannot fail on any device.
    /// </summary>
    private Tensor MappedIndex(Tensor labels, Tensor targets, bool labelsInRange)
    {
        var row = targets.clamp_max(invalidLabel).masked_fill_(targets.lt(0), invalidLabel);
        var column = labelsInRange || labels.dtype == ScalarType.Bool ? labels : labels.masked_fill(labels.lt(0), invalidLabel);
        var index = column.add(row, stride);
        if (Task.Kind == ClassificationKind.Multilabel)
        {
            var count = Task.NumClasses;
            if (labelOffsets is null || labelOffsets.device_type != index.device_type || labelOffsets.device_index != index.device_index)
            {
                labelOffsets?.Dispose();
                labelOffsets = torch.arange(0L, 9L * count, 9L, device: index.device).DetachFromDisposeScope();
            }

            index = index.view(-1, count).add(labelOffsets).reshape(-1);
        }

        if (Task.IgnoreIndex is { } ignore)
        {
            index.masked_fill_(targets.eq(ignore), ignoredBin);
        }

        return index;
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
    /// <exception cref="InvalidOperationException">Some update held a target or predicted label outside the task's range (negative or ≥ the number of classes; binary and multilabel: not 0 or 1) other than the ignore index.</exception>
    protected Tensor ConfusionCounts()
    {
        var c = Task.NumClasses;
        var counted = bins.Value.narrow(0, 0, binCount - 1);
        Tensor blocks = Task.Kind == ClassificationKind.Multilabel ? counted.view(c, 3, 3) : counted.view(1, c + 1, c + 1);
        var size = Task.Kind == ClassificationKind.Multilabel ? 2 : c;

        // Out-of-range targets (the extra row), then out-of-range labels of in-range targets (the extra column): each sample once.
        var invalid = blocks.narrow(1, size, 1).sum().item<long>() + blocks.narrow(1, 0, size).narrow(2, size, 1).sum().item<long>();
        if (invalid > 0)
        {
            var expected = Task.Kind == ClassificationKind.Multiclass ? $"class indices in [0, {c})" : "0 or 1";
            var ignored = Task.IgnoreIndex is { } i ? $" (or the ignore index {i})" : string.Empty;
            var what = Task.Kind == ClassificationKind.Multilabel ? "elements" : "samples";
            throw new InvalidOperationException($"{GetType().Name}: {what} with an out-of-range target or predicted label since the last reset: {invalid}; every target and predicted label must be {expected}{ignored}.");
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
            rangeCheck?.Dispose();
            labelOffsets?.Dispose();
            ones?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>
    /// The bins of N×C scores (N×C×… with target N×…): the argmax, or torchmetrics' top-k label, against the
    /// target. On the CPU with top-1 and no ignore index a bad target is rejected (<see cref="RequireTargetsInRange"/>);
    /// otherwise bad targets are mapped into the extra row like labels' and reported by Compute.
    /// </summary>
    private BatchBins MulticlassScoreBins(Tensor preds, Tensor target)
    {
        var c = Task.NumClasses;
        var dims = preds.dim();
        if (dims != target.dim() + 1 || preds.size(1) != c)
        {
            throw ShapeError(preds, target, $"float preds must be N×{c} scores (N×{c}×… with target N×…)");
        }

        if (TryHostBins(preds, target, out var batch))
        {
            return batch;
        }

        var targets = Flat(target);
        if (Task.TopK > 1)
        {
            var scores = dims == 2 ? preds : preds.movedim([1L], [-1L]).reshape(-1, c);
            RequireSameSamples(scores, targets, preds, target);
            return new BatchBins(MappedIndex(TopKLabel(scores, targets), targets, labelsInRange: true));
        }

        var labels = dims == 2 ? preds.argmax(1) : preds.argmax(1).reshape(-1);
        RequireSameSamples(labels, targets, preds, target);
        if (StateDevice.type != DeviceType.CPU || Task.IgnoreIndex is not null)
        {
            return new BatchBins(MappedIndex(labels, targets, labelsInRange: true));
        }

        // The label is a fresh tensor: the bin index target·S + label is built in it.
        var index = labels.add_(targets, stride);
        RequireTargetsInRange(index, targets);
        return new BatchBins(index);
    }

    private void RequireSameSamples(Tensor labels, Tensor targets, Tensor preds, Tensor target)
    {
        if (labels.size(0) != targets.size(0))
        {
            throw ShapeError(preds, target, "preds and target must describe the same samples");
        }
    }

    /// <summary>The predicted label of every sample given as integer class indices, and the targets flattened in the same order.</summary>
    private (Tensor Labels, Tensor Targets) MulticlassLabels(Tensor preds, Tensor target)
    {
        var c = Task.NumClasses;
        if (!preds.shape.AsSpan().SequenceEqual(target.shape))
        {
            throw ShapeError(preds, target, "integer preds must be class indices shaped like target");
        }

        if (Task.TopK > 1)
        {
            throw new ArgumentException($"{GetType().Name}: topK = {Task.TopK} needs N×{c} scores, but preds are class indices.", nameof(preds));
        }

        return ((preds.dim() == 1 ? preds : preds.reshape(-1)).clamp_max(invalidLabel), Flat(target));
    }

    /// <summary>torchmetrics' top-k refinement: the target when it is among the k best scores, else the best one.</summary>
    private Tensor TopKLabel(Tensor scores, Tensor target)
    {
        var (_, indexes) = scores.topk(Task.TopK, 1);
        var hit = indexes.eq(target.unsqueeze(1)).any(1);
        return torch.where(hit, target, indexes.select(1, 0));
    }

    private (Tensor Labels, Tensor Targets) BinaryLabels(Tensor preds, Tensor target)
    {
        if (!preds.shape.AsSpan().SequenceEqual(target.shape))
        {
            throw ShapeError(preds, target, "preds and target must have the same shape");
        }

        return (Label(preds).reshape(-1), Flat(target));
    }

    private (Tensor Labels, Tensor Targets) MultilabelLabels(Tensor preds, Tensor target)
    {
        var labels = Task.NumClasses;
        if (!preds.shape.AsSpan().SequenceEqual(target.shape) || preds.dim() < 2 || preds.size(1) != labels)
        {
            throw ShapeError(preds, target, $"preds and target must both be N×{labels} (or N×{labels}×…)");
        }

        // Row-major N×L order (labels last), so the block offsets line up.
        var predicted = Label(preds);
        if (preds.dim() == 2)
        {
            return (predicted.reshape(-1), target.reshape(-1));
        }

        return (predicted.movedim([1L], [-1L]).reshape(-1), target.movedim([1L], [-1L]).reshape(-1));
    }

    private static Tensor Flat(Tensor target) => target.dim() == 1 ? target : target.reshape(-1);

    /// <summary>Scores to 0/1 labels: sigmoid when outside [0, 1], then above the threshold; integer preds are labels already.</summary>
    private Tensor Label(Tensor preds)
        => preds.is_floating_point()
            ? ScoreNormalization.Sigmoid(preds).gt(Task.Threshold)
            : preds.clamp_max(invalidLabel);

    private ArgumentException ShapeError(Tensor preds, Tensor target, string rule)
        => new($"{GetType().Name} ({Task.Kind}): {rule}, but preds are [{string.Join(", ", preds.shape)}] {preds.dtype} and target is [{string.Join(", ", target.shape)}].", nameof(preds));
}
