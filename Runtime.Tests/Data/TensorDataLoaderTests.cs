using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Data;

public sealed class TensorDataLoaderTests
{
    /// <summary>x[i] = [2i, 2i + 1] (float32), y[i] = i (int64), so a row of x tells which sample it is.</summary>
    private static (Tensor X, Tensor Y) MakeData(long count)
    {
        var x = torch.arange(count * 2, ScalarType.Float32).reshape(count, 2).DetachFromDisposeScope();
        var y = torch.arange(count, ScalarType.Int64).DetachFromDisposeScope();
        return (x, y);
    }

    private static TensorDataLoader<ImageBatch> MakeLoader(long count, int batchSize, bool shuffle, bool dropLast = false, long? seed = null)
    {
        var (x, y) = MakeData(count);
        return TensorDataLoader.ForImages(x, y, batchSize, shuffle, dropLast, seed, ownsTensors: true);
    }

    /// <summary>The sample indices of every batch of one epoch, in order, checking that x and y stay aligned.</summary>
    private static List<long[]> EpochOrder(IDataLoader<ImageBatch> loader, int epoch, long defaultSeed = 0)
    {
        var batches = new List<long[]>();
        using var epochBatches = loader.OpenEpoch(epoch, defaultSeed);
        Assert.Equal(loader.BatchCount, epochBatches.Count);
        for (int i = 0; i < epochBatches.Count; i++)
        {
            using var scope = torch.NewDisposeScope();
            var batch = epochBatches.GetBatch(i);
            long[] labels = batch.Labels.data<long>().ToArray();
            float[] rows = batch.Images.contiguous().data<float>().ToArray();
            Assert.Equal(labels.Length * 2, rows.Length);
            for (int k = 0; k < labels.Length; k++)
            {
                Assert.Equal(2 * labels[k], (long)rows[2 * k]);
                Assert.Equal((2 * labels[k]) + 1, (long)rows[(2 * k) + 1]);
            }

            batches.Add(labels);
        }

        return batches;
    }

    [Theory]
    [InlineData(10, 3, false, 4)]
    [InlineData(10, 3, true, 3)]
    [InlineData(9, 3, false, 3)]
    [InlineData(9, 3, true, 3)]
    [InlineData(2, 5, false, 1)]
    [InlineData(2, 5, true, 0)]
    [InlineData(0, 4, false, 0)]
    public void BatchCount_rounds_up_or_down_with_dropLast(long samples, int batchSize, bool dropLast, int expected)
    {
        using var loader = MakeLoader(samples, batchSize, shuffle: false, dropLast);
        Assert.Equal(expected, loader.BatchCount);
        Assert.Equal(samples, loader.SampleCount);
        Assert.Equal(expected, EpochOrder(loader, 0).Count);
    }

    [Fact]
    public void Unshuffled_batches_are_the_contiguous_slices()
    {
        var (x, y) = MakeData(10);
        using var loader = TensorDataLoader.ForImages(x, y, batchSize: 4, ownsTensors: true);
        using var epoch = loader.OpenEpoch(3, defaultSeed: 99);
        long[] starts = [0, 4, 8];
        long[] lengths = [4, 4, 2];
        for (int i = 0; i < 3; i++)
        {
            using var scope = torch.NewDisposeScope();
            var batch = epoch.GetBatch(i);
            Assert.Equal(new long[] { lengths[i], 2 }, batch.Images.shape);
            Assert.Equal(new long[] { lengths[i] }, batch.Labels.shape);
            DataAssert.TensorsEqual(x.narrow(0, starts[i], lengths[i]), batch.Images);
            DataAssert.TensorsEqual(y.narrow(0, starts[i], lengths[i]), batch.Labels);
        }
    }

    [Fact]
    public void Shuffled_epoch_visits_every_sample_exactly_once()
    {
        using var loader = MakeLoader(103, batchSize: 10, shuffle: true, seed: 42);
        var batches = EpochOrder(loader, 0);
        Assert.Equal(11, batches.Count);
        Assert.All(batches.Take(10), b => Assert.Equal(10, b.Length));
        Assert.Equal(3, batches[10].Length);
        long[] order = batches.SelectMany(b => b).ToArray();
        Assert.Equal(Enumerable.Range(0, 103).Select(i => (long)i), order.Order());
        Assert.NotEqual(Enumerable.Range(0, 103).Select(i => (long)i), order);
    }

    [Fact]
    public void Shuffled_epoch_with_dropLast_has_full_batches_of_distinct_samples()
    {
        using var loader = MakeLoader(103, batchSize: 10, shuffle: true, dropLast: true, seed: 5);
        var batches = EpochOrder(loader, 1);
        Assert.Equal(10, batches.Count);
        long[] order = batches.SelectMany(b => b).ToArray();
        Assert.Equal(100, order.Length);
        Assert.Equal(100, order.Distinct().Count());
        Assert.All(order, i => Assert.InRange(i, 0, 102));
    }

    [Fact]
    public void Same_seed_and_epoch_give_the_same_order_and_other_epochs_differ()
    {
        using var first = MakeLoader(50, batchSize: 8, shuffle: true, seed: 7);
        using var second = MakeLoader(50, batchSize: 8, shuffle: true, seed: 7);
        using var otherSeed = MakeLoader(50, batchSize: 8, shuffle: true, seed: 8);

        var epoch0 = Flatten(EpochOrder(first, 0));
        var epoch1 = Flatten(EpochOrder(first, 1));
        Assert.Equal(epoch0, Flatten(EpochOrder(second, 0)));
        Assert.Equal(epoch1, Flatten(EpochOrder(second, 1)));
        Assert.NotEqual(epoch0, epoch1);
        Assert.NotEqual(epoch0, Flatten(EpochOrder(otherSeed, 0)));

        // Reopening an epoch (as a resume does) repeats it without replaying the others.
        Assert.Equal(epoch1, Flatten(EpochOrder(first, 1)));
        Assert.Equal(epoch0, Flatten(EpochOrder(first, 0)));
        using var fresh = MakeLoader(50, batchSize: 8, shuffle: true, seed: 7);
        Assert.Equal(epoch1, Flatten(EpochOrder(fresh, 1)));
    }

    [Fact]
    public void A_loader_without_seed_uses_the_default_seed()
    {
        using var unseeded = MakeLoader(40, batchSize: 8, shuffle: true);
        using var seeded = MakeLoader(40, batchSize: 8, shuffle: true, seed: 1234);
        Assert.Equal(Flatten(EpochOrder(seeded, 2, defaultSeed: 1)), Flatten(EpochOrder(unseeded, 2, defaultSeed: 1234)));
        Assert.NotEqual(Flatten(EpochOrder(unseeded, 2, defaultSeed: 1234)), Flatten(EpochOrder(unseeded, 2, defaultSeed: 1235)));

        // A loader's own seed wins over the default one.
        Assert.Equal(Flatten(EpochOrder(seeded, 2, defaultSeed: 1)), Flatten(EpochOrder(seeded, 2, defaultSeed: 2)));
    }

    [Fact]
    public void EpochSeed_is_splitmix64()
    {
        // The first SplitMix64 output for state 0 (the reference implementation's well-known value).
        Assert.Equal(0xE220A8397B1DCDAFUL, TensorDataLoader.EpochSeed(0, 0));
        Assert.Equal(TensorDataLoader.EpochSeed(5, 3), TensorDataLoader.EpochSeed(5, 3));
        Assert.NotEqual(TensorDataLoader.EpochSeed(5, 3), TensorDataLoader.EpochSeed(5, 4));
        Assert.NotEqual(TensorDataLoader.EpochSeed(5, 3), TensorDataLoader.EpochSeed(6, 3));
        Assert.NotEqual((uint)TensorDataLoader.EpochSeed(0, 0), (uint)TensorDataLoader.EpochSeed(1L << 32, 0));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(100)]
    public void GetBatch_out_of_range_throws_naming_index_and_count(int index)
    {
        using var loader = MakeLoader(10, batchSize: 3, shuffle: true, seed: 1);
        using var epoch = loader.OpenEpoch(0, 0);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => epoch.GetBatch(index));
        Assert.Equal("batchIndex", e.ParamName);
        Assert.Contains(index.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.Contains("4 batches", e.Message);
    }

    [Fact]
    public void Mismatched_first_dimensions_throw_naming_the_parameter()
    {
        using var x = torch.zeros(10, 3);
        using var y = torch.zeros(9, ScalarType.Int64);
        var e = Assert.Throws<ArgumentException>(() => TensorDataLoader.ForImages(x, y, 4));
        Assert.Equal("tensors", e.ParamName);
        Assert.Contains("10", e.Message);
        Assert.Contains("9", e.Message);
    }

    [Fact]
    public void Invalid_arguments_throw_naming_the_parameter()
    {
        using var x = torch.zeros(10, 3);
        using var y = torch.zeros(10, ScalarType.Int64);
        using var scalar = torch.tensor(1f);

        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => TensorDataLoader.ForImages(x, y, 0)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => TensorDataLoader.ForImages(x, y, -3)).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => new TensorDataLoader<int>(Array.Empty<Tensor>(), 2, _ => 0)).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => TensorDataLoader.Create(scalar, 2, t => t)).ParamName);
        Assert.Equal("makeBatch", Assert.Throws<ArgumentNullException>(() => TensorDataLoader.Create<int>(x, 2, null!)).ParamName);

        using var loader = TensorDataLoader.ForImages(x, y, 4);
        Assert.Equal("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => loader.OpenEpoch(-1, 0)).ParamName);
    }

    [Fact]
    public void Generic_factories_pass_the_slices_in_order()
    {
        var (x, y) = MakeData(6);
        using var pairs = TensorDataLoader.Create(x, y, 4, (a, b) => (Inputs: a, Targets: b), ownsTensors: true);
        using var epoch = pairs.OpenEpoch(0, 0);
        using var scope = torch.NewDisposeScope();
        var (inputs, targets) = epoch.GetBatch(1);
        Assert.Equal(new long[] { 2, 2 }, inputs.shape);
        Assert.Equal(new long[] { 4, 5 }, targets.data<long>().ToArray());

        using var single = TensorDataLoader.Create(y, 5, t => t);
        using var singleEpoch = single.OpenEpoch(0, 0);
        Assert.Equal(new long[] { 5 }, singleEpoch.GetBatch(1).data<long>().ToArray());

        using var three = new TensorDataLoader<long>([x, y, y], 3, slices => slices.Length * 100 + slices[2].shape[0]);
        using var threeEpoch = three.OpenEpoch(0, 0);
        Assert.Equal(303, threeEpoch.GetBatch(0));
    }

    [Fact]
    public void Batches_belong_to_the_callers_scope_and_the_epoch_outlives_it()
    {
        using var loader = MakeLoader(20, batchSize: 4, shuffle: true, seed: 3);
        IEpochBatches<ImageBatch> epoch;
        ImageBatch batch;
        using (torch.NewDisposeScope())
        {
            // Opened inside a step-like scope: the permutation must survive the scope.
            epoch = loader.OpenEpoch(0, 0);
            batch = epoch.GetBatch(0);
        }

        Assert.True(batch.Images.IsInvalid);
        Assert.True(batch.Labels.IsInvalid);
        using (epoch)
        {
            using var scope = torch.NewDisposeScope();
            var again = epoch.GetBatch(0);
            Assert.Equal(4, again.Labels.shape[0]);
        }

        Assert.Throws<ObjectDisposedException>(() => epoch.GetBatch(0));
    }

    [Fact]
    public void Owned_tensors_are_disposed_with_the_loader_and_borrowed_ones_are_not()
    {
        var (x, y) = MakeData(8);
        var borrowing = TensorDataLoader.ForImages(x, y, 4);
        borrowing.Dispose();
        Assert.False(x.IsInvalid);
        Assert.False(y.IsInvalid);
        Assert.Throws<ObjectDisposedException>(() => borrowing.OpenEpoch(0, 0));

        Tensor ownedX;
        Tensor ownedY;
        TensorDataLoader<ImageBatch> owning;
        using (torch.NewDisposeScope())
        {
            ownedX = torch.zeros(8, 2);
            ownedY = torch.zeros(8, ScalarType.Int64);
            owning = TensorDataLoader.ForImages(ownedX, ownedY, 4, ownsTensors: true);
        }

        // Taking ownership detaches the tensors from the scope they were created in.
        Assert.False(ownedX.IsInvalid);
        Assert.True(owning.OwnsTensors);
        owning.Dispose();
        Assert.True(ownedX.IsInvalid);
        Assert.True(ownedY.IsInvalid);
        x.Dispose();
        y.Dispose();
    }

    private static long[] Flatten(List<long[]> batches) => batches.SelectMany(b => b).ToArray();
}
