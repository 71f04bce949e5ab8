using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using TorchSharp;
using Volt.Metrics;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Distributed;

/// <summary>
/// Data-parallel training over processes started by an MPI launcher (Lightning's <c>DDPStrategy</c>):
/// every process holds a replica of the module, trains on its shard of each batch order, and before each
/// optimizer step the gradients are averaged across processes (<see cref="GradientBuckets"/>), so every
/// replica takes the same step. CPU tensors travel over MPI; CUDA tensors over NCCL when a
/// <see cref="NcclProcessGroup"/> is given.
/// </summary>
public sealed class DdpStrategy : Strategy
{
    private readonly IProcessGroup group;
    private readonly IProcessGroup? cudaGroup;
    private readonly bool ownsGroups;
    private readonly long bucketBytes;
    private bool disposed;

    /// <summary>Creates the strategy over an open process group.</summary>
    /// <param name="group">The processes and their CPU collectives.</param>
    /// <param name="device">This process's device.</param>
    /// <param name="cudaGroup">The collectives for CUDA tensors (NCCL), or null on CPU.</param>
    /// <param name="ownsGroups">Whether disposing the strategy disposes the groups.</param>
    /// <param name="bucketBytes">The gradient bucket capacity (torch DDP's 25 MiB by default).</param>
    public DdpStrategy(IProcessGroup group, Device device, IProcessGroup? cudaGroup = null, bool ownsGroups = true, long bucketBytes = GradientBuckets.BucketBytes)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(bucketBytes, 1);
        if (device.type == DeviceType.CUDA && cudaGroup is null)
        {
            throw new DistributedException($"DdpStrategy on {device} needs an NCCL process group for CUDA tensors (NcclProcessGroup.Open).");
        }

        this.group = group;
        this.cudaGroup = cudaGroup;
        this.ownsGroups = ownsGroups;
        this.bucketBytes = bucketBytes;
        Device = device;
        MetricStateSync = new GroupMetricSync(group);
    }

    /// <inheritdoc/>
    public override Device Device { get; }

    /// <inheritdoc/>
    public override int WorldSize => group.WorldSize;

    /// <inheritdoc/>
    public override int GlobalRank => group.Rank;

    /// <inheritdoc/>
    public override int LocalRank => group.LocalRank;

    /// <inheritdoc/>
    public override int NodeRank => group.NodeRank;

    /// <inheritdoc/>
    public override IMetricStateSync? MetricStateSync { get; }

    /// <summary>
    /// Moves the module to <see cref="Device"/> and overwrites its parameters and buffers with rank 0's,
    /// so every replica starts equal whatever each process's seed was (torch DDP's <c>init_sync</c>).
    /// </summary>
    /// <param name="module">The module being trained.</param>
    public override void Setup(nn.Module module)
    {
        base.Setup(module);
        using var noGrad = no_grad();
        foreach (var parameter in module.parameters())
        {
            Broadcast(parameter, 0);
        }

        foreach (var buffer in module.buffers())
        {
            Broadcast(buffer, 0);
        }
    }

    /// <summary>Averages the gradients of every parameter of the module across processes.</summary>
    public override void ReduceGradients()
    {
        var module = Module ?? throw new InvalidOperationException("DdpStrategy.ReduceGradients was called before Setup.");
        GradientBuckets.Average(module.parameters(), SumInPlace, WorldSize, bucketBytes);
    }

    /// <summary>Averages the gradients of <paramref name="optimizer"/>'s parameters across processes (manual optimization).</summary>
    /// <param name="optimizer">The optimizer about to step.</param>
    public override void ReduceGradients(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        GradientBuckets.Average(optimizer.parameters(), SumInPlace, WorldSize, bucketBytes);
    }

    /// <inheritdoc/>
    public override void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        GroupFor(tensor).AllReduce(tensor, op);
    }

    /// <inheritdoc/>
    public override void Broadcast(Tensor tensor, int sourceRank = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        GroupFor(tensor).Broadcast(tensor, sourceRank);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<Tensor> AllGather(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return GroupFor(tensor).AllGather(tensor);
    }

    /// <inheritdoc/>
    public override void Barrier() => group.Barrier();

    /// <inheritdoc/>
    public override bool ReduceDecision(bool decision, bool all = false)
    {
        using var votes = torch.tensor(decision ? 1 : 0, ScalarType.Int32);
        group.AllReduce(votes, ReduceOp.Sum);
        var count = votes.ToInt32();
        return all ? count == WorldSize : count > 0;
    }

    /// <inheritdoc/>
    public override string? BroadcastText(string? text, int sourceRank = 0)
    {
        // The length goes first (-1 for null) so the other ranks can size their buffer.
        var bytes = text is null || GlobalRank != sourceRank ? [] : Encoding.UTF8.GetBytes(text);
        using var length = torch.tensor(text is null ? -1L : bytes.LongLength, ScalarType.Int64);
        group.Broadcast(length, sourceRank);
        var count = length.ToInt64();
        if (count < 0)
        {
            return null;
        }

        using var buffer = GlobalRank == sourceRank ? torch.tensor(bytes, ScalarType.Byte) : torch.zeros(count, ScalarType.Byte);
        group.Broadcast(buffer, sourceRank);
        return Encoding.UTF8.GetString(buffer.bytes);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (disposing && ownsGroups)
        {
            cudaGroup?.Dispose();
            group.Dispose();
        }

        base.Dispose(disposing);
    }

    private void SumInPlace(Tensor flat) => GroupFor(flat).AllReduce(flat, ReduceOp.Sum);

    private IProcessGroup GroupFor(Tensor tensor) => tensor.device_type switch
    {
        DeviceType.CPU => group,
        DeviceType.CUDA => cudaGroup ?? throw new DistributedException($"A collective got a tensor on {tensor.device}, but this DdpStrategy has no NCCL group (it trains on {Device})."),
        _ => throw new DistributedException($"DdpStrategy has no collectives for tensors on {tensor.device}."),
    };

    /// <summary>Metric states go through the CPU group: they are small, and the copy keeps any device working.</summary>
    private sealed class GroupMetricSync(IProcessGroup group) : IMetricStateSync
    {
        public int WorldSize => group.WorldSize;

        public IReadOnlyList<Tensor> AllGather(Tensor local)
        {
            ArgumentNullException.ThrowIfNull(local);
            if (local.device_type == DeviceType.CPU)
            {
                return group.AllGather(local);
            }

            using var cpu = local.cpu();
            return group.AllGather(cpu).Select(t =>
            {
                var moved = t.to(local.device);
                t.Dispose();
                return moved;
            }).ToList();
        }
    }
}
