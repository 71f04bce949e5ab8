using System;
using System.Linq;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Data;

/// <summary>The prefetching wrapper: same batches in the same order, failures surfaced with their index.</summary>
public sealed class PrefetchingLoaderTests
{
    [Fact]
    public void GivesTheSameBatchesInTheSameOrderAsThePlainLoader()
    {
        using var plain = Loader();
        var prefetching = new PrefetchingLoader<Tensor>(Loader(), depth: 3);

        for (var epoch = 0; epoch < 2; epoch++)
        {
            using var expected = plain.OpenEpoch(epoch, defaultSeed: 5);
            using var actual = prefetching.OpenEpoch(epoch, defaultSeed: 5);
            Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                using var scope = NewDisposeScope();
                Assert.Equal(expected.GetBatch(i).data<float>().ToArray(), actual.GetBatch(i).data<float>().ToArray());
            }
        }
    }

    [Fact]
    public void BatchesJoinTheCallersDisposeScope()
    {
        var prefetching = new PrefetchingLoader<Tensor>(Loader());
        using var epoch = prefetching.OpenEpoch(0, defaultSeed: 5);
        Tensor batch;
        using (NewDisposeScope())
        {
            batch = epoch.GetBatch(0);
            Assert.False(batch.IsInvalid);
        }

        Assert.True(batch.IsInvalid);
    }

    [Fact]
    public void AJumpRestartsFromTheRequestedBatch()
    {
        using var plain = Loader();
        var prefetching = new PrefetchingLoader<Tensor>(Loader());
        using var expected = plain.OpenEpoch(0, defaultSeed: 5);
        using var actual = prefetching.OpenEpoch(0, defaultSeed: 5);
        using var scope = NewDisposeScope();

        Assert.Equal(expected.GetBatch(4).data<float>().ToArray(), actual.GetBatch(4).data<float>().ToArray());
        Assert.Equal(expected.GetBatch(1).data<float>().ToArray(), actual.GetBatch(1).data<float>().ToArray());
        Assert.Equal(expected.GetBatch(2).data<float>().ToArray(), actual.GetBatch(2).data<float>().ToArray());
    }

    [Fact]
    public void AFailingBatchThrowsOnTheCallersThreadWithItsIndex()
    {
        var prefetching = new PrefetchingLoader<Tensor>(new FailingLoader(failAt: 3));
        using var epoch = prefetching.OpenEpoch(0, defaultSeed: 0);
        using var scope = NewDisposeScope();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(i, epoch.GetBatch(i).item<float>());
        }

        var error = Assert.Throws<InvalidOperationException>(() => epoch.GetBatch(3));

        Assert.Contains("batch 3", error.Message);
        var inner = Assert.IsType<System.IO.IOException>(error.InnerException);
        Assert.Equal("disk read failed at 3", inner.Message);
    }

    private static TensorDataLoader<Tensor> Loader()
        => TensorDataLoader.Create(arange(40, dtype: ScalarType.Float32), batchSize: 6, batch => batch, shuffle: true, ownsTensors: true);

    private sealed class FailingLoader(int failAt) : IDataLoader<Tensor>
    {
        public int BatchCount => 6;

        public long SampleCount => 6;

        public IEpochBatches<Tensor> OpenEpoch(int epoch, long defaultSeed) => new Epoch(failAt);

        private sealed class Epoch(int failAt) : IEpochBatches<Tensor>
        {
            public int Count => 6;

            public Tensor GetBatch(int batchIndex)
                => batchIndex == failAt ? throw new System.IO.IOException($"disk read failed at {batchIndex}") : tensor((float)batchIndex);

            public void Dispose()
            {
            }
        }
    }
}
