using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using static TorchSharp.torch;

namespace Volt.Serving;

/// <summary>
/// One tensor of a served request or response, held on the host: its values flat, the shape of one example
/// and the number of examples (the batch dimension). Requests are decoded into these on the HTTP threads, so
/// the model's thread only creates the batch tensors, and answers are split per request from these.
/// </summary>
public sealed class TensorRows
{
    private readonly Array values;

    private TensorRows(Array values, ScalarType dtype, long[] exampleShape, int count)
    {
        this.values = values;
        DType = dtype;
        ExampleShape = exampleShape;
        Count = count;
    }

    /// <summary>The element type: Float32, Float64, Int32, Int64 or Bool.</summary>
    public ScalarType DType { get; }

    /// <summary>The shape of one example, without the batch dimension.</summary>
    public long[] ExampleShape { get; }

    /// <summary>The number of examples.</summary>
    public int Count { get; }

    private int ExampleSize => checked((int)ExampleShape.Aggregate(1L, (size, d) => size * d));

    /// <summary>The values of all examples, flat, as doubles (for checks and tests).</summary>
    public double[] ToDoubles() => values switch
    {
        float[] v => Array.ConvertAll(v, x => (double)x),
        double[] v => (double[])v.Clone(),
        int[] v => Array.ConvertAll(v, x => (double)x),
        long[] v => Array.ConvertAll(v, x => (double)x),
        bool[] v => Array.ConvertAll(v, x => x ? 1.0 : 0.0),
        _ => throw new InvalidOperationException($"Unexpected values {values.GetType()}."),
    };

    /// <summary>One example of zeros: what the server runs at start to check the declared shapes against the model.</summary>
    public static TensorRows Zeros(long[] exampleShape, ScalarType dtype)
    {
        var size = checked((int)exampleShape.Aggregate(1L, (s, d) => s * d));
        return new TensorRows(NewArray(dtype, size), dtype, exampleShape, 1);
    }

    /// <summary>Decoded request values (doubles already checked to fit <paramref name="dtype"/>).</summary>
    internal static TensorRows FromDecoded(List<double> decoded, ScalarType dtype, long[] exampleShape, int count)
    {
        Array array = dtype switch
        {
            ScalarType.Float32 => decoded.Select(v => (float)v).ToArray(),
            ScalarType.Float64 => decoded.ToArray(),
            ScalarType.Int32 => decoded.Select(v => (int)v).ToArray(),
            ScalarType.Int64 => decoded.Select(v => (long)v).ToArray(),
            _ => throw new ArgumentException($"A served request tensor is Float32, Float64, Int32 or Int64, not {dtype}.", nameof(dtype)),
        };
        return new TensorRows(array, dtype, exampleShape, count);
    }

    /// <summary>Stacks one member of several requests along the batch dimension (dynamic batching).</summary>
    /// <typeparam name="TRequest">The generated request record.</typeparam>
    /// <param name="requests">The requests, in order.</param>
    /// <param name="member">The member to stack.</param>
    public static TensorRows Concat<TRequest>(IReadOnlyList<TRequest> requests, Func<TRequest, TensorRows> member)
    {
        var parts = requests.Select(member).ToList();
        var first = parts[0];
        var total = parts.Sum(p => p.values.Length);
        var array = NewArray(first.DType, total);
        var offset = 0;
        foreach (var part in parts)
        {
            if (part.DType != first.DType || !part.ExampleShape.AsSpan().SequenceEqual(first.ExampleShape))
            {
                throw new ArgumentException("Only rows of one element type and example shape can be stacked.", nameof(requests));
            }

            Array.Copy(part.values, 0, array, offset, part.values.Length);
            offset += part.values.Length;
        }

        return new TensorRows(array, first.DType, first.ExampleShape, parts.Sum(p => p.Count));
    }

    /// <summary>The batch tensor, <c>[Count, ..ExampleShape]</c>, on <paramref name="device"/>; owned by the caller's dispose scope.</summary>
    public Tensor ToTensor(Device device)
    {
        long[] shape = [Count, .. ExampleShape];
        var host = values switch
        {
            float[] v => tensor(v, shape),
            double[] v => tensor(v, shape),
            int[] v => tensor(v, shape),
            long[] v => tensor(v, shape),
            bool[] v => tensor(v, shape),
            _ => throw new InvalidOperationException($"Unexpected values {values.GetType()}."),
        };
        return device.type == TorchSharp.DeviceType.CPU ? host : host.to(device);
    }

    /// <summary>
    /// Copies a [PredictStep] output tensor to the host. Its first dimension must be the batch: one row per example.
    /// Floating-point outputs become Float32 or Float64, integer outputs Int64, booleans Bool.
    /// </summary>
    /// <param name="output">The output tensor.</param>
    /// <param name="examples">The number of examples in the batch.</param>
    /// <param name="field">The response field, for the error message.</param>
    /// <exception cref="InvalidOperationException">The tensor has no batch dimension of <paramref name="examples"/>; the message names the field.</exception>
    public static TensorRows FromTensor(Tensor output, int examples, string field)
    {
        ArgumentNullException.ThrowIfNull(output, field);
        if (output.dim() == 0 || output.shape[0] != examples)
        {
            throw new InvalidOperationException($"The [PredictStep] output '{field}' has shape [{string.Join(", ", output.shape)}] for {examples} examples; the server needs one row per example (the batch dimension first).");
        }

        var host = output.detach().cpu().contiguous();
        var exampleShape = output.shape[1..];
        switch (host.dtype)
        {
            case ScalarType.Float64:
                return new TensorRows(host.data<double>().ToArray(), ScalarType.Float64, exampleShape, examples);
            case ScalarType.Bool:
                return new TensorRows(host.data<bool>().ToArray(), ScalarType.Bool, exampleShape, examples);
            case ScalarType.Float32:
                return new TensorRows(host.data<float>().ToArray(), ScalarType.Float32, exampleShape, examples);
            case ScalarType.Float16 or ScalarType.BFloat16:
                using (var single = host.to(ScalarType.Float32))
                {
                    return new TensorRows(single.data<float>().ToArray(), ScalarType.Float32, exampleShape, examples);
                }

            case ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16 or ScalarType.Int8 or ScalarType.Byte:
                using (var integers = host.to(ScalarType.Int64))
                {
                    return new TensorRows(integers.data<long>().ToArray(), ScalarType.Int64, exampleShape, examples);
                }

            default:
                throw new InvalidOperationException($"The [PredictStep] output '{field}' is {host.dtype}; the server answers floating-point, integer and boolean tensors.");
        }
    }

    /// <summary>The examples <paramref name="start"/> to <paramref name="start"/> + <paramref name="count"/> (one request's share of a batch).</summary>
    public TensorRows Slice(int start, int count)
    {
        if (start == 0 && count == Count)
        {
            return this;
        }

        var size = ExampleSize;
        var array = NewArray(DType, count * size);
        Array.Copy(values, start * size, array, 0, count * size);
        return new TensorRows(array, DType, ExampleShape, count);
    }

    /// <summary>Writes <c>"name": [example, ...]</c>, each example nested arrays of <see cref="ExampleShape"/>.</summary>
    public void Write(Utf8JsonWriter writer, string name)
    {
        writer.WritePropertyName(name);
        writer.WriteStartArray();
        var size = ExampleSize;
        for (var example = 0; example < Count; example++)
        {
            WriteNested(writer, example * size, size, 0);
        }

        writer.WriteEndArray();
    }

    private void WriteNested(Utf8JsonWriter writer, int offset, int size, int dimension)
    {
        if (dimension == ExampleShape.Length)
        {
            switch (values)
            {
                case float[] v: writer.WriteNumberValue(v[offset]); break;
                case double[] v: writer.WriteNumberValue(v[offset]); break;
                case int[] v: writer.WriteNumberValue(v[offset]); break;
                case long[] v: writer.WriteNumberValue(v[offset]); break;
                case bool[] v: writer.WriteBooleanValue(v[offset]); break;
            }

            return;
        }

        writer.WriteStartArray();
        var step = size / (int)ExampleShape[dimension];
        for (var i = 0; i < ExampleShape[dimension]; i++)
        {
            WriteNested(writer, offset + i * step, step, dimension + 1);
        }

        writer.WriteEndArray();
    }

    private static Array NewArray(ScalarType dtype, int length) => dtype switch
    {
        ScalarType.Float32 => new float[length],
        ScalarType.Float64 => new double[length],
        ScalarType.Int32 => new int[length],
        ScalarType.Int64 => new long[length],
        ScalarType.Bool => new bool[length],
        _ => throw new ArgumentException($"Served tensors are Float32, Float64, Int32, Int64 or Bool, not {dtype}.", nameof(dtype)),
    };
}
