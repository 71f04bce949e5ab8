using System.Collections.Generic;
using static TorchSharp.torch;

namespace Volt.Metrics;

/// <summary>
/// The collective a metric needs to combine its states across processes before computing (the seam a
/// data-parallel strategy fills; see <see cref="Strategies.Strategy.MetricStateSync"/>). Every process
/// calls <see cref="AllGather"/> with its states in the same order, as with any collective.
/// </summary>
public interface IMetricStateSync
{
    /// <summary>The number of processes whose states are combined.</summary>
    int WorldSize { get; }

    /// <summary>
    /// Returns every process's copy of <paramref name="local"/>, in rank order, on <paramref name="local"/>'s
    /// device. Copies may differ in size along dimension 0 (concatenated states). The returned tensors
    /// belong to the caller (its dispose scope).
    /// </summary>
    /// <param name="local">This process's state; it is read, not kept.</param>
    IReadOnlyList<Tensor> AllGather(Tensor local);
}
