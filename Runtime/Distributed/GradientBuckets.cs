using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Distributed;

/// <summary>
/// Averages gradients across processes the way torch's DistributedDataParallel does, but after backward
/// (TorchSharp has no gradient hooks): the gradients are packed in parameter order into flat buckets of at
/// most <see cref="BucketBytes"/> (one dtype and device per bucket), each bucket is all-reduced with one
/// collective, divided by the world size and copied back.
/// </summary>
internal static class GradientBuckets
{
    /// <summary>torch DDP's default <c>bucket_cap_mb</c>: 25 MiB.</summary>
    public const long BucketBytes = 25L * 1024 * 1024;

    /// <summary>Averages the gradients of <paramref name="parameters"/> over the processes; parameters without a gradient are skipped.</summary>
    /// <param name="parameters">The parameters, in the same order on every process.</param>
    /// <param name="allReduceSum">Sums a flat tensor across processes in place.</param>
    /// <param name="worldSize">The number of processes.</param>
    /// <param name="bucketBytes">The bucket capacity.</param>
    public static void Average(IEnumerable<Tensor> parameters, Action<Tensor> allReduceSum, int worldSize, long bucketBytes = BucketBytes)
    {
        // Every process must form the same buckets: a parameter without a gradient on one rank and with
        // one on another would shift every later bucket, so the order and the skipping follow the parameters alone.
        var gradients = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        var bucket = new List<Tensor>();
        long bytes = 0;
        foreach (var gradient in gradients)
        {
            var size = gradient.numel() * gradient.ElementSize;
            if (bucket.Count > 0 && (bytes + size > bucketBytes || !SameKind(bucket[0], gradient)))
            {
                Reduce(bucket, allReduceSum, worldSize);
                bucket.Clear();
                bytes = 0;
            }

            bucket.Add(gradient);
            bytes += size;
        }

        if (bucket.Count > 0)
        {
            Reduce(bucket, allReduceSum, worldSize);
        }
    }

    private static bool SameKind(Tensor a, Tensor b)
        => a.dtype == b.dtype && a.device_type == b.device_type && a.device_index == b.device_index;

    private static void Reduce(List<Tensor> bucket, Action<Tensor> allReduceSum, int worldSize)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var flat = bucket.Count == 1 ? bucket[0].flatten().contiguous() : torch.cat(bucket.Select(g => g.flatten()).ToArray());
        allReduceSum(flat);
        flat.div_(worldSize);
        long offset = 0;
        foreach (var gradient in bucket)
        {
            var count = gradient.numel();
            gradient.copy_(flat.narrow(0, offset, count).view(gradient.shape));
            offset += count;
        }
    }
}
