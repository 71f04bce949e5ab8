using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Data;

/// <summary>
/// Builds one batch from the slices a <see cref="TensorDataLoader{TBatch}"/> cut from its tensors.
/// </summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
/// <param name="slices">
/// One slice per data set tensor, in the order the loader holds them; each slice is a new tensor in the
/// caller's current dispose scope whose first dimension is the batch size. The span is only valid during
/// the call: keep the tensors, not the span.
/// </param>
/// <returns>The batch.</returns>
public delegate TBatch TensorBatchFactory<TBatch>(ReadOnlySpan<Tensor> slices);

/// <summary>Factories for <see cref="TensorDataLoader{TBatch}"/> and the epoch seed it uses.</summary>
public static class TensorDataLoader
{
    /// <summary>
    /// Creates a loader over one tensor whose first dimension indexes the samples.
    /// </summary>
    /// <typeparam name="TBatch">The batch type.</typeparam>
    /// <param name="data">The data set.</param>
    /// <param name="batchSize">The number of samples per batch; positive.</param>
    /// <param name="makeBatch">Builds a batch from the slice of <paramref name="data"/>.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new seeded random order.</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">The shuffling seed; <see langword="null"/> uses the trainer's seed.</param>
    /// <param name="ownsTensors">Whether the loader takes ownership of <paramref name="data"/> and disposes it.</param>
    /// <returns>The loader.</returns>
    public static TensorDataLoader<TBatch> Create<TBatch>(
        Tensor data,
        int batchSize,
        Func<Tensor, TBatch> makeBatch,
        bool shuffle = false,
        bool dropLast = false,
        long? seed = null,
        bool ownsTensors = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(makeBatch);
        return new TensorDataLoader<TBatch>([data], batchSize, slices => makeBatch(slices[0]), shuffle, dropLast, seed, ownsTensors);
    }

    /// <summary>
    /// Creates a loader over two tensors with the same first dimension (typically inputs and targets).
    /// </summary>
    /// <typeparam name="TBatch">The batch type.</typeparam>
    /// <param name="x">The first data set tensor (for example the inputs).</param>
    /// <param name="y">The second data set tensor (for example the targets).</param>
    /// <param name="batchSize">The number of samples per batch; positive.</param>
    /// <param name="makeBatch">Builds a batch from the slices of <paramref name="x"/> and <paramref name="y"/>.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new seeded random order.</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">The shuffling seed; <see langword="null"/> uses the trainer's seed.</param>
    /// <param name="ownsTensors">Whether the loader takes ownership of both tensors and disposes them.</param>
    /// <returns>The loader.</returns>
    public static TensorDataLoader<TBatch> Create<TBatch>(
        Tensor x,
        Tensor y,
        int batchSize,
        Func<Tensor, Tensor, TBatch> makeBatch,
        bool shuffle = false,
        bool dropLast = false,
        long? seed = null,
        bool ownsTensors = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(makeBatch);
        return new TensorDataLoader<TBatch>([x, y], batchSize, slices => makeBatch(slices[0], slices[1]), shuffle, dropLast, seed, ownsTensors);
    }

    /// <summary>
    /// Creates a loader of <see cref="ImageBatch"/>es over an image tensor and a label tensor with the same
    /// first dimension.
    /// </summary>
    /// <param name="images">The images, for example float32 <c>[N, 1, 28, 28]</c>.</param>
    /// <param name="labels">The labels, for example int64 <c>[N]</c>.</param>
    /// <param name="batchSize">The number of samples per batch; positive.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new seeded random order.</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">The shuffling seed; <see langword="null"/> uses the trainer's seed.</param>
    /// <param name="ownsTensors">Whether the loader takes ownership of both tensors and disposes them.</param>
    /// <returns>The loader.</returns>
    public static TensorDataLoader<ImageBatch> ForImages(
        Tensor images,
        Tensor labels,
        int batchSize,
        bool shuffle = false,
        bool dropLast = false,
        long? seed = null,
        bool ownsTensors = false)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        return new TensorDataLoader<ImageBatch>([images, labels], batchSize, MakeImageBatch, shuffle, dropLast, seed, ownsTensors);
    }

    /// <summary>
    /// The seed of the generator that draws the order of <paramref name="epoch"/>: the
    /// <c>(epoch + 1)</c>-th output of a SplitMix64 sequence started at <paramref name="seed"/>, that is
    /// <c>mix64(seed + (epoch + 1) * 0x9E3779B97F4A7C15)</c> with SplitMix64's finaliser as <c>mix64</c>.
    /// The finaliser spreads every input bit over the low 32 bits, which are the only ones libtorch's CPU
    /// generator (a Mersenne Twister) uses.
    /// </summary>
    /// <param name="seed">The loader's seed (or the trainer's when the loader has none).</param>
    /// <param name="epoch">The 0-based epoch number.</param>
    /// <returns>The generator seed.</returns>
    public static ulong EpochSeed(long seed, int epoch)
    {
        unchecked
        {
            ulong z = (ulong)seed + (0x9E3779B97F4A7C15UL * ((ulong)(uint)epoch + 1UL));
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    private static ImageBatch MakeImageBatch(ReadOnlySpan<Tensor> slices) => new(slices[0], slices[1]);
}

/// <summary>
/// An in-memory data loader over one or more tensors whose first dimension indexes the samples (Lightning's
/// <c>DataLoader(TensorDataset(...))</c>). A batch is cut from every tensor at once with <c>narrow</c> (in
/// order) or <c>index_select</c> (shuffled), never by collating single samples.
/// </summary>
/// <remarks>
/// <para>
/// Ownership: by default the tensors belong to the caller, who must keep them alive while the loader is used
/// and dispose them afterwards; disposing the loader then does nothing to them. With <c>ownsTensors</c> the
/// loader takes them over: it detaches them from any dispose scope and disposes them in <see cref="Dispose"/>.
/// </para>
/// <para>
/// Shuffling: <see cref="OpenEpoch"/> seeds a fresh <see cref="torch.Generator"/> with
/// <see cref="TensorDataLoader.EpochSeed"/><c>(Seed ?? defaultSeed, epoch)</c>, draws one
/// <c>randperm(SampleCount)</c> from it and disposes the generator; the permutation belongs to the epoch and
/// is freed with it. The order of an epoch depends only on the seed and the epoch number, so reopening an
/// epoch (for a resume) gives the same order without replaying earlier epochs.
/// </para>
/// <para>
/// Batches: unshuffled batches are views (<c>narrow</c>) of the data set tensors and share their memory, so
/// a step must not modify them in place; shuffled batches are copies. Either way each batch tensor is a new
/// tensor handle in the caller's current dispose scope. An epoch is meant to be read by one thread.
/// </para>
/// </remarks>
/// <typeparam name="TBatch">The batch type.</typeparam>
public sealed class TensorDataLoader<TBatch> : IShardableDataLoader<TBatch>, IDisposable
{
    private readonly Tensor[] tensors;
    private readonly DistributedShard? shard;
    private readonly long dataSetSamples;
    private readonly TensorBatchFactory<TBatch> makeBatch;
    private readonly Device device;
    private bool disposed;

    /// <summary>Creates a loader over <paramref name="tensors"/>.</summary>
    /// <param name="tensors">One or more tensors with at least one dimension and the same first dimension, all on one device.</param>
    /// <param name="batchSize">The number of samples per batch; positive.</param>
    /// <param name="makeBatch">Builds a batch from the slices of <paramref name="tensors"/>, given in the same order.</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new seeded random order.</param>
    /// <param name="dropLast">Whether to drop the last batch when it is smaller than <paramref name="batchSize"/>.</param>
    /// <param name="seed">The shuffling seed; <see langword="null"/> uses the <c>defaultSeed</c> passed to <see cref="OpenEpoch"/>.</param>
    /// <param name="ownsTensors">Whether the loader takes ownership of the tensors and disposes them in <see cref="Dispose"/>.</param>
    /// <exception cref="ArgumentException">An argument is invalid; the message names it.</exception>
    public TensorDataLoader(
        IReadOnlyList<Tensor> tensors,
        int batchSize,
        TensorBatchFactory<TBatch> makeBatch,
        bool shuffle = false,
        bool dropLast = false,
        long? seed = null,
        bool ownsTensors = false)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        ArgumentNullException.ThrowIfNull(makeBatch);
        if (tensors.Count == 0)
        {
            throw new ArgumentException("At least one tensor is required.", nameof(tensors));
        }

        if (batchSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"{nameof(batchSize)} must be positive, but it is {batchSize}.");
        }

        var copy = new Tensor[tensors.Count];
        long sampleCount = 0;
        Device? firstDevice = null;
        for (int i = 0; i < copy.Length; i++)
        {
            var tensor = tensors[i]
                ?? throw new ArgumentException($"{nameof(tensors)}[{i}] is null.", nameof(tensors));
            if (tensor.IsInvalid)
            {
                throw new ArgumentException($"{nameof(tensors)}[{i}] has been disposed.", nameof(tensors));
            }

            if (tensor.dim() == 0)
            {
                throw new ArgumentException($"{nameof(tensors)}[{i}] is a scalar; every tensor needs a first dimension that indexes the samples.", nameof(tensors));
            }

            long rows = tensor.shape[0];
            if (i == 0)
            {
                sampleCount = rows;
                firstDevice = tensor.device;
            }
            else if (rows != sampleCount)
            {
                throw new ArgumentException(
                    $"All tensors must have the same first dimension (the number of samples), but {nameof(tensors)}[0] has {sampleCount} and {nameof(tensors)}[{i}] has {rows}.",
                    nameof(tensors));
            }
            else if (tensor.device_type != firstDevice!.type || tensor.device_index != firstDevice.index)
            {
                throw new ArgumentException(
                    $"All tensors must be on one device, but {nameof(tensors)}[0] is on {firstDevice} and {nameof(tensors)}[{i}] is on {tensor.device}.",
                    nameof(tensors));
            }

            copy[i] = tensor;
        }

        long batches = BatchCountOf(sampleCount, batchSize, dropLast);
        if (batches > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"{sampleCount} samples in batches of {batchSize} make more than {int.MaxValue} batches.");
        }

        if (ownsTensors)
        {
            foreach (var tensor in copy)
            {
                tensor.DetachFromDisposeScope();
            }
        }

        this.tensors = copy;
        this.makeBatch = makeBatch;
        device = firstDevice!;
        dataSetSamples = sampleCount;
        SampleCount = sampleCount;
        BatchCount = (int)batches;
        BatchSize = batchSize;
        Shuffle = shuffle;
        DropLast = dropLast;
        Seed = seed;
        OwnsTensors = ownsTensors;
    }

    /// <summary>A shard's loader: the same tensors (not owned), this rank's share of every epoch.</summary>
    private TensorDataLoader(TensorDataLoader<TBatch> whole, DistributedShard shard)
    {
        tensors = whole.tensors;
        makeBatch = whole.makeBatch;
        device = whole.device;
        this.shard = shard;
        dataSetSamples = whole.dataSetSamples;
        SampleCount = shard.SamplesPerRank(whole.dataSetSamples);
        BatchCount = checked((int)BatchCountOf(SampleCount, whole.BatchSize, whole.DropLast));
        BatchSize = whole.BatchSize;
        Shuffle = whole.Shuffle;
        DropLast = whole.DropLast;
        Seed = whole.Seed;
        OwnsTensors = false;
    }

    /// <inheritdoc/>
    public int BatchCount { get; }

    /// <summary>The number of samples one epoch visits: the data set's, or this rank's share for a <see cref="Shard"/>.</summary>
    public long SampleCount { get; }

    /// <summary>The number of samples per batch (the last batch may be smaller unless <see cref="DropLast"/>).</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch visits the samples in a seeded random order.</summary>
    public bool Shuffle { get; }

    /// <summary>Whether the last, smaller batch is dropped.</summary>
    public bool DropLast { get; }

    /// <summary>The shuffling seed, or <see langword="null"/> to use the trainer's.</summary>
    public long? Seed { get; }

    /// <summary>Whether the loader owns its tensors and disposes them in <see cref="Dispose"/>.</summary>
    public bool OwnsTensors { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
    /// <exception cref="ObjectDisposedException">The loader has been disposed.</exception>
    public IEpochBatches<TBatch> OpenEpoch(int epoch, long defaultSeed)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (epoch < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"{nameof(epoch)} must not be negative, but it is {epoch}.");
        }

        if (!Shuffle && shard is null)
        {
            return new Epoch(this, null);
        }

        Tensor permutation;
        using (var generator = Shuffle ? new torch.Generator(TensorDataLoader.EpochSeed(Seed ?? defaultSeed, epoch)) : null)
        {
            // The epoch may be opened inside a dispose scope; the permutation lives as long as the epoch.
            // Every rank draws the whole data set's order from the same seed and keeps its share.
            using var scope = NewDisposeScope();
            var order = generator is null ? null : torch.randperm(dataSetSamples, ScalarType.Int64, generator: generator);
            permutation = shard is null ? order! : shard.Indices(order, dataSetSamples);
            permutation.DetachFromDisposeScope();
        }

        if (device.type != DeviceType.CPU)
        {
            var moved = permutation.to(device).DetachFromDisposeScope();
            permutation.Dispose();
            permutation = moved;
        }

        return new Epoch(this, permutation);
    }

    /// <summary>
    /// The loader of one rank's share of every epoch (<see cref="DistributedShard"/>): the same shuffled
    /// order as this loader, padded and interleaved across ranks. It shares this loader's tensors, so keep
    /// this loader alive while the shard is used.
    /// </summary>
    /// <param name="shard">This process's rank and the world size.</param>
    /// <exception cref="InvalidOperationException">This loader is itself a shard.</exception>
    public IDataLoader<TBatch> Shard(DistributedShard shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (this.shard is not null)
        {
            throw new InvalidOperationException($"This loader is already rank {this.shard.Rank}'s shard of {this.shard.WorldSize}; shard the original loader.");
        }

        return new TensorDataLoader<TBatch>(this, shard.Validated());
    }

    private static long BatchCountOf(long samples, int batchSize, bool dropLast)
        => dropLast ? samples / batchSize : (samples + batchSize - 1) / batchSize;

    /// <summary>Disposes the tensors when the loader owns them; otherwise only marks the loader as disposed.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (OwnsTensors)
        {
            foreach (var tensor in tensors)
            {
                tensor.Dispose();
            }
        }
    }

    private sealed class Epoch : IEpochBatches<TBatch>
    {
        private readonly TensorDataLoader<TBatch> loader;
        private readonly Tensor? permutation;
        private readonly Tensor[] slices;
        private bool disposed;

        internal Epoch(TensorDataLoader<TBatch> loader, Tensor? permutation)
        {
            this.loader = loader;
            this.permutation = permutation;
            slices = new Tensor[loader.tensors.Length];
        }

        public int Count => loader.BatchCount;

        public TBatch GetBatch(int batchIndex)
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            ObjectDisposedException.ThrowIf(loader.disposed, loader);
            if ((uint)batchIndex >= (uint)loader.BatchCount)
            {
                throw new ArgumentOutOfRangeException(
                    nameof(batchIndex),
                    batchIndex,
                    $"{nameof(batchIndex)} {batchIndex} is out of range: the epoch has {loader.BatchCount} batches (valid indices are 0 to {loader.BatchCount - 1}).");
            }

            long start = (long)batchIndex * loader.BatchSize;
            long length = Math.Min(loader.BatchSize, loader.SampleCount - start);
            var data = loader.tensors;
            int made = 0;
            try
            {
                if (permutation is null)
                {
                    for (; made < data.Length; made++)
                    {
                        slices[made] = data[made].narrow(0, start, length);
                    }
                }
                else
                {
                    using var indices = permutation.narrow(0, start, length);
                    for (; made < data.Length; made++)
                    {
                        slices[made] = data[made].index_select(0, indices);
                    }
                }

                return loader.makeBatch(slices);
            }
            catch
            {
                for (int i = 0; i < made; i++)
                {
                    slices[i].Dispose();
                }

                throw;
            }
            finally
            {
                Array.Clear(slices);
            }
        }

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            permutation?.Dispose();
        }
    }
}
