using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// One update kept until a <see cref="ConfusionCountsMetric"/> counts it (deferred updates): the batch's
/// multiclass scores (N×C, their argmax or top-k is taken when counting) or its predicted labels (flat), and
/// its targets (flat, in the same order). The tensors are fresh copies outside autograd, never views of the
/// caller's tensors, so later in-place changes to the caller's predictions or targets cannot reach them.
/// Metrics of an equal task in a <see cref="MetricCollection"/> share one instance: each holds a reference,
/// and the last <see cref="Release"/> frees the tensors.
/// </summary>
internal sealed class PendingBatch
{
    private int references = 1;

    /// <summary>Takes <paramref name="predictions"/> and <paramref name="targets"/> out of their dispose scope; the creator holds the first reference.</summary>
    /// <param name="predictions">N×C scores when <paramref name="areScores"/>, else flat predicted labels (int64 or bool).</param>
    /// <param name="areScores">Whether <paramref name="predictions"/> are scores whose labels are still to be taken.</param>
    /// <param name="targets">Targets as given (not clamped), flat int64, one per sample or label.</param>
    public PendingBatch(Tensor predictions, bool areScores, Tensor targets)
    {
        Predictions = predictions.DetachFromDisposeScope();
        AreScores = areScores;
        Targets = targets.DetachFromDisposeScope();
        Size = predictions.numel() + targets.numel();
    }

    /// <summary>The scores or predicted labels.</summary>
    public Tensor Predictions { get; }

    /// <summary>Whether <see cref="Predictions"/> are N×C scores (else flat labels).</summary>
    public bool AreScores { get; }

    /// <summary>The targets, unclamped, so the ignore index and out-of-range values are still visible.</summary>
    public Tensor Targets { get; }

    /// <summary>The number of values held (predictions and targets), for the memory bound.</summary>
    public long Size { get; }

    /// <summary>Adds a holder.</summary>
    public PendingBatch Share()
    {
        references++;
        return this;
    }

    /// <summary>Drops a holder; the last one frees the tensors.</summary>
    public void Release()
    {
        references--;
        if (references == 0)
        {
            Predictions.Dispose();
            Targets.Dispose();
        }
    }
}
