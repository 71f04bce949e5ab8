using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Strategies;

/// <summary>
/// The device and process-group seam of the generated loop: where the module lives and how
/// gradients and metrics are combined across processes. <see cref="SingleDeviceStrategy"/> is the
/// default; a data-parallel strategy all-reduces gradients in <see cref="ReduceGradients"/>.
/// </summary>
public abstract class Strategy
{
    /// <summary>The device this process trains on.</summary>
    public abstract Device Device { get; }

    /// <summary>The number of processes training together.</summary>
    public virtual int WorldSize => 1;

    /// <summary>This process's rank, 0-based.</summary>
    public virtual int GlobalRank => 0;

    /// <summary>True on the process that writes files and prints (rank 0).</summary>
    public bool IsGlobalZero => GlobalRank == 0;

    /// <summary>Moves the module to <see cref="Device"/> and remembers it for gradient reduction.</summary>
    /// <param name="module">The module being trained.</param>
    public virtual void Setup(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        module.to(Device);
    }

    /// <summary>Combines gradients across processes after backward. Single-device: nothing to do.</summary>
    public virtual void ReduceGradients()
    {
    }

    /// <summary>
    /// The collective metric objects combine their states with before computing (torchmetrics' sync on
    /// compute); null on one process. A data-parallel strategy returns its process group here.
    /// </summary>
    public virtual Metrics.IMetricStateSync? MetricStateSync => null;
}

/// <summary>Trains in this process on one device.</summary>
/// <param name="device">The device.</param>
public sealed class SingleDeviceStrategy(Device device) : Strategy
{
    /// <inheritdoc />
    public override Device Device { get; } = device;
}
