using System;
using System.Numerics;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// The confusion bins of a batch of multiclass scores that lives in host memory, computed in managed code
/// over the tensors' own memory (<see cref="Tensor.bytes"/>, no copy): each row's argmax taken as
/// <c>torch.argmax</c> takes it (the first maximum; a NaN counts as the maximum, the first NaN wins), then
/// <c>target·S + label</c>. No libtorch operation runs, so an update of a small batch costs a few native
/// property reads instead of four kernel calls, and a bad target is found before anything is counted.
/// </summary>
/// <remarks>
/// It applies to contiguous CPU scores N×C of float32 or float64 with contiguous int64 targets of length N;
/// anything else takes the tensor path. The indexes live in a buffer this object reuses: they are valid until
/// its next <see cref="Compute"/>.
/// </remarks>
internal sealed class HostScoreBins
{
    private long[] buffer = [];

    /// <summary>
    /// Whether a batch can be counted here: CPU, contiguous, N×<paramref name="classes"/> float32 or float64
    /// scores and N int64 targets. Anything else goes to the tensor path, which checks it and names what is wrong.
    /// </summary>
    public static bool Applies(Tensor preds, Tensor target, int classes)
        => preds.device_type == DeviceType.CPU
           && target.device_type == DeviceType.CPU
           && preds.dtype is ScalarType.Float32 or ScalarType.Float64
           && target.dtype == ScalarType.Int64
           && preds.dim() == 2
           && target.dim() == 1
           && preds.size(1) == classes
           && preds.size(0) == target.size(0)
           && preds.is_contiguous()
           && target.is_contiguous();

    /// <summary>
    /// The bin of every sample: <c>target·(classes + 1) + argmax</c>. A target outside [0, classes) throws before
    /// any index is returned, from <paramref name="outOfRange"/> (given the target and its position).
    /// </summary>
    /// <param name="preds">The N×C scores (see <see cref="Applies"/>).</param>
    /// <param name="target">The N class indices.</param>
    /// <param name="classes">C.</param>
    /// <param name="outOfRange">Makes the error for a target outside [0, C).</param>
    /// <returns>The N bin indexes, in this object's buffer.</returns>
    public ArraySegment<long> Compute(Tensor preds, Tensor target, int classes, Func<long, long, Exception> outOfRange)
    {
        var targets = MemoryMarshal.Cast<byte, long>(target.bytes);
        if (buffer.Length < targets.Length)
        {
            buffer = new long[targets.Length];
        }

        var index = buffer.AsSpan(0, targets.Length);
        for (var i = 0; i < targets.Length; i++)
        {
            var t = targets[i];
            if (t < 0 || t >= classes)
            {
                throw outOfRange(t, i);
            }

            index[i] = t * (classes + 1);
        }

        if (preds.dtype == ScalarType.Float32)
        {
            AddArgmax(MemoryMarshal.Cast<byte, float>(preds.bytes), classes, index);
        }
        else
        {
            AddArgmax(MemoryMarshal.Cast<byte, double>(preds.bytes), classes, index);
        }

        return new ArraySegment<long>(buffer, 0, targets.Length);
    }

    /// <summary>Adds each row's argmax to its index: the first maximum, or the first NaN.</summary>
    private static void AddArgmax<T>(ReadOnlySpan<T> scores, int classes, Span<long> index)
        where T : unmanaged, INumberBase<T>, IComparisonOperators<T, T, bool>
    {
        for (var i = 0; i < index.Length; i++)
        {
            var row = scores.Slice(i * classes, classes);
            var best = 0;
            var bestValue = row[0];
            if (!T.IsNaN(bestValue))
            {
                for (var j = 1; j < row.Length; j++)
                {
                    // One comparison per score: not (value ≤ best) means greater, or NaN.
                    var value = row[j];
                    if (!(value <= bestValue))
                    {
                        best = j;
                        if (T.IsNaN(value))
                        {
                            break;
                        }

                        bestValue = value;
                    }
                }
            }

            index[i] += best;
        }
    }
}
