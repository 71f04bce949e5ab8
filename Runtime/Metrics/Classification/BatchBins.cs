using System;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// The confusion bin of every sample of one batch, every index in range of the <c>bins</c> state: a 1-D
/// int64 tensor on the states' device, or (<see cref="HostScoreBins"/>) indexes in host memory.
/// </summary>
internal readonly struct BatchBins
{
    /// <summary>Bins computed by libtorch, as a tensor on the states' device.</summary>
    public BatchBins(Tensor device) => Device = device;

    /// <summary>Bins computed in managed code, valid until their owner's next batch.</summary>
    public BatchBins(ArraySegment<long> host) => Host = host;

    /// <summary>The tensor of bins, or null when they are in <see cref="Host"/>.</summary>
    public Tensor? Device { get; }

    /// <summary>The bins in host memory, when <see cref="Device"/> is null.</summary>
    public ArraySegment<long> Host { get; }
}
