using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// One update's predicted labels and targets, both flat and in the same order, kept until a
/// <see cref="ConfusionCountsMetric"/> counts them (deferred updates). The tensors are fresh copies, never
/// views of the caller's tensors, so later in-place changes to the caller's predictions or targets cannot
/// reach them. Metrics of an equal task in a <see cref="MetricCollection"/> share one instance: each holds a
/// reference, and the last <see cref="Release"/> frees the tensors.
/// </summary>
internal sealed class PendingLabels
{
    private int references = 1;

    /// <summary>Takes <paramref name="labels"/> and <paramref name="targets"/> out of their dispose scope; the creator holds the first reference.</summary>
    /// <param name="labels">Predicted labels, 1-D (int64 or bool), in [0, C] except negative integer labels.</param>
    /// <param name="targets">Targets as given (not clamped), 1-D int64, one per label.</param>
    public PendingLabels(Tensor labels, Tensor targets)
    {
        Labels = labels.DetachFromDisposeScope();
        Targets = targets.DetachFromDisposeScope();
        Count = targets.size(0);
    }

    /// <summary>The predicted labels.</summary>
    public Tensor Labels { get; }

    /// <summary>The targets, unclamped, so the ignore index and out-of-range values are still visible.</summary>
    public Tensor Targets { get; }

    /// <summary>The number of labels (samples, or sample × label elements for multilabel).</summary>
    public long Count { get; }

    /// <summary>Adds a holder.</summary>
    public PendingLabels Share()
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
            Labels.Dispose();
            Targets.Dispose();
        }
    }
}
