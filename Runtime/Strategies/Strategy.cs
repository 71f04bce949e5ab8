using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Strategies;

/// <summary>
/// The device and process-group seam of the trainer (Lightning's <c>Strategy</c>): where the module
/// lives, this process's place among the processes training together, and the collectives that combine
/// their tensors and decisions. <see cref="SingleDeviceStrategy"/> is the default; a data-parallel
/// strategy overrides the collectives and all-reduces gradients in <see cref="ReduceGradients()"/>.
/// Every process must enter a collective the same number of times, in the same order.
/// </summary>
public abstract class Strategy : IDisposable
{
    /// <summary>The device this process trains on.</summary>
    public abstract Device Device { get; }

    /// <summary>The number of processes training together.</summary>
    public virtual int WorldSize => 1;

    /// <summary>This process's rank among all processes, 0-based.</summary>
    public virtual int GlobalRank => 0;

    /// <summary>This process's rank on its node (machine), 0-based; it picks the node's device.</summary>
    public virtual int LocalRank => 0;

    /// <summary>The 0-based index of this process's node (machine).</summary>
    public virtual int NodeRank => 0;

    /// <summary>True on the process that writes files and prints (global rank 0).</summary>
    public bool IsGlobalZero => GlobalRank == 0;

    /// <summary>The module <see cref="Setup"/> placed, or null before.</summary>
    protected nn.Module? Module { get; private set; }

    /// <summary>
    /// Moves the module to <see cref="Device"/> and remembers it for gradient reduction. A data-parallel
    /// strategy also broadcasts parameters and buffers from rank 0 here, so every replica starts equal.
    /// </summary>
    /// <param name="module">The module being trained.</param>
    public virtual void Setup(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.to(Device);
        Module = module;
    }

    /// <summary>
    /// Combines the gradients of every parameter of the module across processes, before the optimizer
    /// steps (after accumulation, before unscaling and clipping). Single-device: nothing to do.
    /// </summary>
    public virtual void ReduceGradients()
    {
    }

    /// <summary>
    /// Combines the gradients of <paramref name="optimizer"/>'s parameters across processes (manual
    /// optimization calls it from <c>ManualStep</c>). Single-device: nothing to do.
    /// </summary>
    /// <param name="optimizer">The optimizer about to step.</param>
    public virtual void ReduceGradients(optim.Optimizer optimizer)
    {
    }

    /// <summary>Combines <paramref name="tensor"/> across processes in place with <paramref name="op"/>. Single-device: unchanged.</summary>
    /// <param name="tensor">This process's tensor; it holds the combined value afterwards.</param>
    /// <param name="op">How values combine.</param>
    public virtual void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
    }

    /// <summary>Overwrites <paramref name="tensor"/> on every process with its value on <paramref name="sourceRank"/>. Single-device: unchanged.</summary>
    /// <param name="tensor">The tensor; the same shape and type on every process.</param>
    /// <param name="sourceRank">The rank whose value wins.</param>
    public virtual void Broadcast(Tensor tensor, int sourceRank = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
    }

    /// <summary>Returns every process's copy of <paramref name="tensor"/> in rank order; the copies belong to the caller's dispose scope. Single-device: one copy.</summary>
    /// <param name="tensor">This process's tensor; the same shape and type on every process.</param>
    public virtual IReadOnlyList<Tensor> AllGather(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return [tensor.clone()];
    }

    /// <summary>Waits until every process has reached this call. Single-device: returns at once.</summary>
    public virtual void Barrier()
    {
    }

    /// <summary>
    /// Combines a yes/no decision across processes so every process acts alike (Lightning's
    /// <c>reduce_boolean_decision</c>): with <paramref name="all"/> false, true when any process said
    /// true (a stop requested on one rank stops all); with it true, only when every process did.
    /// </summary>
    /// <param name="decision">This process's decision.</param>
    /// <param name="all">Require every process to agree instead of any.</param>
    public virtual bool ReduceDecision(bool decision, bool all = false) => decision;

    /// <summary>Returns <paramref name="text"/> as given on <paramref name="sourceRank"/> (a run directory's path), on every process. Single-device: unchanged.</summary>
    /// <param name="text">The text; only <paramref name="sourceRank"/>'s value is read.</param>
    /// <param name="sourceRank">The rank whose value wins.</param>
    public virtual string? BroadcastText(string? text, int sourceRank = 0) => text;

    /// <summary>
    /// The collective metric objects combine their states with before computing (torchmetrics' sync on
    /// compute); null on one process. A data-parallel strategy returns its process group here.
    /// </summary>
    public virtual Metrics.IMetricStateSync? MetricStateSync => null;

    /// <summary>Releases the process group, if any. Single-device: nothing to release.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the strategy holds.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>Trains in this process on one device.</summary>
/// <param name="device">The device.</param>
public sealed class SingleDeviceStrategy(Device device) : Strategy
{
    /// <inheritdoc />
    public override Device Device { get; } = device;
}
