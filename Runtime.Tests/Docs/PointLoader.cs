using System;
using Volt.Data;
using static TorchSharp.torch;

namespace VoltDocExamples;

/// <summary>Serves points kept in managed arrays, in a seeded random order per epoch (the example of docs/data-loaders.md).</summary>
public sealed class PointLoader : IDataLoader<PointBatch>
{
    private readonly float[] xs;
    private readonly float[] ys;
    private readonly int batchSize;
    private readonly bool shuffle;
    private readonly long? seed;

    public PointLoader(float[] xs, float[] ys, int batchSize, bool shuffle, long? seed = null)
    {
        ArgumentNullException.ThrowIfNull(xs);
        ArgumentNullException.ThrowIfNull(ys);
        if (xs.Length != ys.Length || xs.Length == 0)
        {
            throw new ArgumentException($"xs has {xs.Length} points and ys {ys.Length}; give the same non-zero number of both.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        (this.xs, this.ys, this.batchSize, this.shuffle, this.seed) = (xs, ys, batchSize, shuffle, seed);
    }

    public int BatchCount => (xs.Length + batchSize - 1) / batchSize;

    public long SampleCount => xs.Length;

    public IEpochBatches<PointBatch> OpenEpoch(int epoch, long defaultSeed)
    {
        var order = new int[xs.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (shuffle)
        {
            // The order depends only on the seed and the epoch, so a resumed run sees the same batches.
            var random = new Random(unchecked((int)TensorDataLoader.EpochSeed(seed ?? defaultSeed, epoch)));
            random.Shuffle(order);
        }

        return new Epoch(this, order);
    }

    private sealed class Epoch(PointLoader loader, int[] order) : IEpochBatches<PointBatch>
    {
        public int Count => loader.BatchCount;

        public PointBatch GetBatch(int batchIndex)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(batchIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(batchIndex, Count);
            var start = batchIndex * loader.batchSize;
            var size = Math.Min(loader.batchSize, order.Length - start);
            var x = new float[size];
            var y = new float[size];
            for (var i = 0; i < size; i++)
            {
                x[i] = loader.xs[order[start + i]];
                y[i] = loader.ys[order[start + i]];
            }

            // New tensors in the caller's dispose scope: the step's scope frees them.
            return new PointBatch(tensor(x, [size, 1]), tensor(y));
        }

        public void Dispose()
        {
            // Nothing to free: the epoch holds only a managed array.
        }
    }
}
