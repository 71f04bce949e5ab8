using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Distributed;

/// <summary>DistributedSampler semantics of <see cref="DistributedShard"/> and <see cref="TensorDataLoader{TBatch}.Shard"/>.</summary>
public sealed class ShardingTests
{
    [Fact]
    public void RanksTakeInterleavedPositionsOfTheOrderPaddedFromItsStart()
    {
        // torch: 10 samples on 4 ranks → 3 each; the order is padded with its first 2 entries.
        using var order = torch.tensor(new long[] { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0 });
        var shards = Enumerable.Range(0, 4).Select(r => new DistributedShard(r, 4).Indices(order, 10).data<long>().ToArray()).ToList();
        Assert.Equal(new long[] { 9, 5, 1 }, shards[0]);
        Assert.Equal(new long[] { 8, 4, 0 }, shards[1]);
        Assert.Equal(new long[] { 7, 3, 9 }, shards[2]);
        Assert.Equal(new long[] { 6, 2, 8 }, shards[3]);
    }

    [Fact]
    public void PaddingRepeatsTheOrderWhenRanksOutnumberSamples()
    {
        var shards = Enumerable.Range(0, 5).Select(r => new DistributedShard(r, 5).Indices(null, 2).data<long>().Single()).ToList();
        Assert.Equal(new long[] { 0, 1, 0, 1, 0 }, shards);
    }

    [Fact]
    public void EveryRankGetsTheSameBatchCountAndTogetherTheyCoverTheShuffledEpoch()
    {
        using var data = torch.arange(101, ScalarType.Float32);
        using var loader = TensorDataLoader.Create(data, 8, x => x, shuffle: true, seed: 5);
        var shards = Enumerable.Range(0, 3).Select(r => loader.Shard(new DistributedShard(r, 3))).ToList();
        Assert.All(shards, s => Assert.Equal(5, s.BatchCount)); // ceil(101 / 3) = 34 samples → 5 batches of 8
        var seen = new List<float>();
        foreach (var shard in shards)
        {
            using var epoch = shard.OpenEpoch(2, defaultSeed: 0);
            for (var b = 0; b < epoch.Count; b++)
            {
                using var batch = epoch.GetBatch(b);
                seen.AddRange(batch.data<float>().ToArray());
            }
        }

        Assert.Equal(102, seen.Count); // one sample padded
        Assert.Equal(Enumerable.Range(0, 101).Select(i => (float)i), seen.Distinct().OrderBy(v => v));
    }

    [Fact]
    public void TheRanksBatchKTogetherAreTheSingleProcessBatchKOfTwiceTheSize()
    {
        using var data = torch.arange(64, ScalarType.Float32);
        using var whole = TensorDataLoader.Create(data, 16, x => x, shuffle: true, seed: 9);
        using var half = TensorDataLoader.Create(data, 8, x => x, shuffle: true, seed: 9);
        using var wholeEpoch = whole.OpenEpoch(1, 0);
        using var rank0 = half.Shard(new DistributedShard(0, 2)).OpenEpoch(1, 0);
        using var rank1 = half.Shard(new DistributedShard(1, 2)).OpenEpoch(1, 0);
        for (var b = 0; b < wholeEpoch.Count; b++)
        {
            using var expected = wholeEpoch.GetBatch(b);
            using var first = rank0.GetBatch(b);
            using var second = rank1.GetBatch(b);
            Assert.Equal(expected.data<float>().OrderBy(v => v), first.data<float>().Concat(second.data<float>()).OrderBy(v => v));
        }
    }

    [Fact]
    public void AShardCannotBeShardedAgainAndRanksMustBeInRange()
    {
        using var data = torch.arange(4, ScalarType.Float32);
        using var loader = TensorDataLoader.Create(data, 2, x => x);
        var shard = (TensorDataLoader<Tensor>)loader.Shard(new DistributedShard(0, 2));
        Assert.Throws<System.InvalidOperationException>(() => shard.Shard(new DistributedShard(0, 2)));
        Assert.Throws<System.ArgumentOutOfRangeException>(() => loader.Shard(new DistributedShard(2, 2)));
    }
}
