using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Data;

/// <summary>
/// A set of images and their labels held in memory, such as one split of <see cref="FashionMnistData"/>.
/// It owns both tensors: they are detached from any dispose scope and freed in <see cref="Dispose"/>.
/// </summary>
public sealed class LabeledImages : IDisposable
{
    /// <summary>Takes ownership of <paramref name="images"/> and <paramref name="labels"/>.</summary>
    /// <param name="images">The images; the first dimension indexes the samples.</param>
    /// <param name="labels">The labels, shape <c>[N]</c> with the same <c>N</c> as <paramref name="images"/>.</param>
    /// <exception cref="ArgumentException">The shapes do not match; the message names the parameter.</exception>
    public LabeledImages(Tensor images, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.dim() == 0)
        {
            throw new ArgumentException("The images need a first dimension that indexes the samples, but the tensor is a scalar.", nameof(images));
        }

        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
        {
            throw new ArgumentException(
                $"The labels must have shape [{images.shape[0]}] to match the images' first dimension, but their shape is [{string.Join(", ", labels.shape)}].",
                nameof(labels));
        }

        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
    }

    /// <summary>The images, for example float32 <c>[N, 1, 28, 28]</c> scaled to [0, 1].</summary>
    public Tensor Images { get; }

    /// <summary>The labels, for example int64 <c>[N]</c>.</summary>
    public Tensor Labels { get; }

    /// <summary>The number of samples.</summary>
    public long Count => Labels.shape[0];

    /// <summary>
    /// Creates a loader of <see cref="ImageBatch"/>es over these images. The loader does not own the tensors:
    /// keep this object alive (undisposed) while the loader is used; disposing the loader leaves them alone.
    /// </summary>
    /// <param name="batchSize">The number of samples per batch; positive.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new seeded random order.</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">The shuffling seed; <see langword="null"/> uses the trainer's seed.</param>
    /// <returns>The loader.</returns>
    public TensorDataLoader<ImageBatch> ToLoader(int batchSize, bool shuffle, bool dropLast = false, long? seed = null)
        => TensorDataLoader.ForImages(Images, Labels, batchSize, shuffle, dropLast, seed, ownsTensors: false);

    /// <summary>Frees both tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
