using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Data;

/// <summary>
/// One process's share of an epoch's sample order under data-parallel training, with torch's
/// <c>DistributedSampler</c> semantics (drop_last False): the order (the same seeded permutation, or
/// 0..N-1, on every process) is padded by repeating its beginning to <c>ceil(N / W) * W</c> samples, and
/// rank <c>r</c> takes positions <c>r, r + W, r + 2W, ...</c>. Every rank gets <c>ceil(N / W)</c> samples,
/// so every rank runs the same number of batches (unequal counts hang the gradient all-reduce); up to
/// <c>W - 1</c> samples are seen twice per epoch. Interleaving also makes the union of the ranks' batch
/// <c>k</c> the single-process batch <c>k</c> of <c>W</c> times the size.
/// </summary>
/// <param name="Rank">This process's 0-based rank.</param>
/// <param name="WorldSize">The number of processes.</param>
public sealed record DistributedShard(int Rank, int WorldSize)
{
    /// <summary>Checks the rank against the world size.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The world size is below 1 or the rank outside [0, WorldSize).</exception>
    public DistributedShard Validated()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(WorldSize, 1, nameof(WorldSize));
        if (Rank < 0 || Rank >= WorldSize)
        {
            throw new ArgumentOutOfRangeException(nameof(Rank), Rank, $"The rank must be in [0, {WorldSize}).");
        }

        return this;
    }

    /// <summary>The number of samples each rank sees per epoch: <c>ceil(sampleCount / WorldSize)</c>.</summary>
    /// <param name="sampleCount">The data set's sample count.</param>
    public long SamplesPerRank(long sampleCount) => (sampleCount + WorldSize - 1) / WorldSize;

    /// <summary>This rank's sample indices (int64, in the caller's dispose scope).</summary>
    /// <param name="order">The epoch's order of all samples, or null for 0..sampleCount-1.</param>
    /// <param name="sampleCount">The data set's sample count.</param>
    public Tensor Indices(Tensor? order, long sampleCount)
    {
        using var scope = NewDisposeScope();
        var all = order ?? torch.arange(sampleCount, ScalarType.Int64);
        var total = SamplesPerRank(sampleCount) * WorldSize;
        var padded = all;
        if (total > sampleCount && sampleCount > 0)
        {
            var repeats = (total + sampleCount - 1) / sampleCount;
            padded = all.repeat(repeats).narrow(0, 0, total);
        }

        var mine = total == 0 ? all.narrow(0, 0, 0) : padded.slice(0, Rank, total, WorldSize);
        return mine.contiguous().MoveToOuterDisposeScope();
    }
}
