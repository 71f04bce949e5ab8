using System;
using System.Linq;

namespace Volt.Export;

/// <summary>
/// Output shapes of the operations <see cref="OnnxGraphBuilder"/> writes, worked out at export time so the
/// graph can declare its output shape and the builder can turn negative dimensions into axes.
/// Sizes are known values, <see cref="OnnxValue.BatchDimension"/> or <see cref="OnnxValue.UnknownDimension"/>.
/// </summary>
internal static class OnnxShapes
{
    /// <summary>Turns a possibly negative dimension into an axis of a rank-<paramref name="rank"/> value.</summary>
    public static int Axis(long dim, int rank, string operation)
    {
        var axis = dim < 0 ? dim + rank : dim;
        if (axis < 0 || axis >= rank)
        {
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"{operation}: dimension {dim} is out of range for a value with {rank} dimensions.");
        }

        return (int)axis;
    }

    /// <summary>NumPy broadcasting, as ONNX's element-wise operators and MatMul's batch dimensions do it.</summary>
    public static long[] Broadcast(long[] a, long[] b)
    {
        var rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            var x = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            var y = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            result[i] = x == y ? x : x == 1 ? y : y == 1 ? x : x > 1 ? x : y > 1 ? y : OnnxValue.UnknownDimension;
        }

        return result;
    }

    /// <summary>The shape of MatMul(a, b) with NumPy's matmul rules for one-dimensional operands.</summary>
    public static long[] MatMul(long[] a, long[] b)
    {
        if (a.Length == 0 || b.Length == 0)
        {
            throw new ArgumentException("matmul: both operands need at least one dimension.");
        }

        var left = a.Length == 1 ? [1, a[0]] : a;
        var right = b.Length == 1 ? [b[0], 1] : b;
        var batch = Broadcast(left[..^2], right[..^2]);
        var result = batch.Append(left[^2]).Append(right[^1]).ToList();
        if (b.Length == 1)
        {
            result.RemoveAt(result.Count - 1);
        }

        if (a.Length == 1)
        {
            result.RemoveAt(result.Count - (b.Length == 1 ? 1 : 2));
        }

        return result.ToArray();
    }

    /// <summary>The size of a convolution or pooling window's output along one dimension.</summary>
    public static long Window(long size, long kernel, long stride, long padBegin, long padEnd, long dilation, bool ceilMode)
    {
        if (size < 0)
        {
            return OnnxValue.UnknownDimension;
        }

        var span = size + padBegin + padEnd - dilation * (kernel - 1) - 1;
        var steps = ceilMode ? (span + stride - 1) / stride : span / stride;
        if (ceilMode && steps * stride >= size + padBegin)
        {
            // PyTorch's rule, which ONNX follows: the last window must start inside the input or the left padding.
            steps--;
        }

        return steps + 1;
    }

    /// <summary>Replaces the spatial dimensions (after batch and channels) with the windowed sizes.</summary>
    public static long[] Windowed(long[] input, long channels, long[] kernel, long[] stride, long[] pads, long[] dilation, bool ceilMode)
    {
        var spatial = kernel.Length;
        var result = new long[input.Length];
        result[0] = input[0];
        result[1] = channels;
        for (var i = 0; i < spatial; i++)
        {
            result[2 + i] = Window(input[2 + i], kernel[i], stride[i], pads[i], pads[spatial + i], dilation[i], ceilMode);
        }

        return result;
    }

    /// <summary>The product of the sizes, or <see cref="OnnxValue.UnknownDimension"/> if one of them is not known.</summary>
    public static long Product(params long[] sizes)
        => sizes.Any(s => s < 0) ? OnnxValue.UnknownDimension : sizes.Aggregate(1L, (p, s) => p * s);

    /// <summary>
    /// The shape Reshape produces: 0 copies the input's size at that index, -1 is inferred (the batch size
    /// when the input's only unknown is the batch and the known sizes match).
    /// </summary>
    public static long[] Reshape(long[] input, long[] target)
    {
        var result = new long[target.Length];
        var inferred = -1;
        for (var i = 0; i < target.Length; i++)
        {
            result[i] = target[i] switch
            {
                0 when i < input.Length => input[i],
                0 => throw new ArgumentException($"reshape: size 0 at index {i} copies an input dimension, but the input has {input.Length}."),
                -1 => OnnxValue.UnknownDimension,
                < -1 => throw new ArgumentException($"reshape: size {target[i]} at index {i} is not a size."),
                _ => target[i],
            };
            if (target[i] == -1)
            {
                if (inferred >= 0)
                {
                    throw new ArgumentException("reshape: only one size can be -1.");
                }

                inferred = i;
            }
        }

        if (inferred >= 0)
        {
            result[inferred] = InferredSize(input, result.Where((_, i) => i != inferred).ToArray());
        }

        return result;
    }

    private static long InferredSize(long[] input, long[] others)
    {
        var inputKnown = input.Where(s => s >= 0).Aggregate(1L, (p, s) => p * s);
        var othersKnown = others.Where(s => s >= 0).Aggregate(1L, (p, s) => p * s);
        var inputBatch = input.Count(s => s == OnnxValue.BatchDimension);
        var othersBatch = others.Count(s => s == OnnxValue.BatchDimension);
        if (input.Any(s => s == OnnxValue.UnknownDimension) || others.Any(s => s == OnnxValue.UnknownDimension) || othersKnown == 0)
        {
            return OnnxValue.UnknownDimension;
        }

        if (inputBatch == othersBatch)
        {
            return inputKnown % othersKnown == 0 ? inputKnown / othersKnown : throw new ArgumentException($"reshape: {inputKnown} elements per batch item do not divide into {othersKnown}.");
        }

        return inputBatch == 1 && othersBatch == 0 && inputKnown == othersKnown ? OnnxValue.BatchDimension : OnnxValue.UnknownDimension;
    }
}
