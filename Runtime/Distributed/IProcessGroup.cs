using System;
using System.Collections.Generic;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Distributed;

/// <summary>
/// The processes training together and the collectives among them (torch.distributed's process group).
/// Every process must call each collective the same number of times, in the same order, with tensors of
/// the same type and shape; a collective returns once every process has entered it.
/// </summary>
public interface IProcessGroup : IDisposable
{
    /// <summary>The number of processes.</summary>
    int WorldSize { get; }

    /// <summary>This process's rank, 0-based.</summary>
    int Rank { get; }

    /// <summary>This process's rank among the processes of its node (machine).</summary>
    int LocalRank { get; }

    /// <summary>The number of processes on this process's node.</summary>
    int LocalSize { get; }

    /// <summary>The 0-based index of this process's node.</summary>
    int NodeRank { get; }

    /// <summary>Combines <paramref name="tensor"/> across processes, in place.</summary>
    /// <param name="tensor">The tensor; it holds the combined value afterwards.</param>
    /// <param name="op">How the values combine.</param>
    void AllReduce(Tensor tensor, ReduceOp op);

    /// <summary>Overwrites <paramref name="tensor"/> with its value on <paramref name="sourceRank"/>.</summary>
    /// <param name="tensor">The tensor.</param>
    /// <param name="sourceRank">The rank whose value wins.</param>
    void Broadcast(Tensor tensor, int sourceRank);

    /// <summary>Every process's copy of <paramref name="tensor"/> in rank order; the sizes of dimension 0 may differ.</summary>
    /// <param name="tensor">This process's tensor.</param>
    /// <returns>New tensors in the caller's dispose scope.</returns>
    IReadOnlyList<Tensor> AllGather(Tensor tensor);

    /// <summary>Waits until every process has reached the barrier.</summary>
    void Barrier();
}
