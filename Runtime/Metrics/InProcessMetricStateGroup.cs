using System;
using System.Collections.Generic;
using System.Threading;
using static TorchSharp.torch;

namespace Volt.Metrics;

/// <summary>
/// A group of simulated ranks inside one process, one thread per rank: <see cref="Rank"/> gives each
/// rank's <see cref="IMetricStateSync"/>. It exists to test metric synchronisation without a process
/// group; every rank must call <see cref="IMetricStateSync.AllGather"/> the same number of times.
/// </summary>
public sealed class InProcessMetricStateGroup : IDisposable
{
    private readonly Barrier barrier;
    private readonly Tensor?[] slots;

    /// <summary>Creates a group of <paramref name="worldSize"/> ranks.</summary>
    /// <param name="worldSize">The number of ranks; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="worldSize"/> is less than 1.</exception>
    public InProcessMetricStateGroup(int worldSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(worldSize, 1);
        barrier = new Barrier(worldSize);
        slots = new Tensor?[worldSize];
    }

    /// <summary>The number of ranks.</summary>
    public int WorldSize => slots.Length;

    /// <summary>The sync of rank <paramref name="rank"/>; use it from that rank's thread only.</summary>
    /// <param name="rank">The 0-based rank.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rank"/> is outside [0, WorldSize).</exception>
    public IMetricStateSync Rank(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, WorldSize);
        return new RankSync(this, rank);
    }

    /// <summary>Releases the barrier.</summary>
    public void Dispose() => barrier.Dispose();

    private IReadOnlyList<Tensor> AllGather(int rank, Tensor local)
    {
        ArgumentNullException.ThrowIfNull(local);
        slots[rank] = local;
        barrier.SignalAndWait();
        var gathered = new Tensor[slots.Length];
        for (var i = 0; i < slots.Length; i++)
        {
            gathered[i] = slots[i]!.to(local.device).clone();
        }

        // Nobody may overwrite a slot before every rank has copied it.
        barrier.SignalAndWait();
        slots[rank] = null;
        return gathered;
    }

    private sealed class RankSync(InProcessMetricStateGroup group, int rank) : IMetricStateSync
    {
        public int WorldSize => group.WorldSize;

        public IReadOnlyList<Tensor> AllGather(Tensor local) => group.AllGather(rank, local);
    }
}
