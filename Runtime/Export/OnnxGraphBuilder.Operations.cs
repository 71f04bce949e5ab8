using System;
using System.Linq;

namespace Volt.Export;

/// <summary>Tensor operations and activation functions, with PyTorch's dimension conventions (negative dimensions count from the end).</summary>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>What <see cref="Size"/> returns for the dynamic batch size; <see cref="Reshape"/> keeps it at its own position.</summary>
    public const long DynamicBatchSize = long.MinValue;

    /// <summary>t.size(dim) while the graph is built: the known size, or <see cref="DynamicBatchSize"/> for the symbolic batch.</summary>
    public long Size(OnnxValue value, long dim)
    {
        ArgumentNullException.ThrowIfNull(value);
        var size = value.Shape[OnnxShapes.Axis(dim, value.Rank, "size")];
        return size switch
        {
            OnnxValue.BatchDimension => DynamicBatchSize,
            OnnxValue.UnknownDimension => throw new NotSupportedException($"size({dim}) of a value shaped [{string.Join(", ", value.Shape)}] depends on the input in a way the export does not track; use constant sizes or -1."),
            _ => size,
        };
    }

    /// <summary>relu(x).</summary>
    public OnnxValue Relu(OnnxValue input) => SameShapeNode("Relu", input);

    /// <summary>sigmoid(x).</summary>
    public OnnxValue Sigmoid(OnnxValue input) => SameShapeNode("Sigmoid", input);

    /// <summary>tanh(x).</summary>
    public OnnxValue Tanh(OnnxValue input) => SameShapeNode("Tanh", input);

    /// <summary>
    /// gelu(x): x·Φ(x) = 0.5·x·(1 + erf(x/√2)), or with the tanh approximation
    /// 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). Opset 17 has no Gelu operator, so it is written out.
    /// </summary>
    public OnnxValue Gelu(OnnxValue input, bool tanhApproximation = false)
    {
        OnnxValue inner;
        if (tanhApproximation)
        {
            var cube = Mul(Mul(input, input), input);
            inner = Tanh(Mul(Add(input, Mul(cube, 0.044715)), Math.Sqrt(2 / Math.PI)));
        }
        else
        {
            inner = SameShapeNode("Erf", Div(input, Math.Sqrt(2)));
        }

        return Mul(Mul(input, 0.5), Add(inner, 1.0));
    }

    /// <summary>softmax(x, dim).</summary>
    public OnnxValue Softmax(OnnxValue input, long dim)
        => SameShapeNode("Softmax", input, IntAttribute("axis", OnnxShapes.Axis(dim, input.Rank, "softmax")));

    /// <summary>log_softmax(x, dim).</summary>
    public OnnxValue LogSoftmax(OnnxValue input, long dim)
        => SameShapeNode("LogSoftmax", input, IntAttribute("axis", OnnxShapes.Axis(dim, input.Rank, "log_softmax")));

    /// <summary>x.flatten(startDim, endDim): merges the dimensions from <paramref name="startDim"/> to <paramref name="endDim"/>.</summary>
    public OnnxValue Flatten(OnnxValue input, long startDim = 0, long endDim = -1)
    {
        if (input.Rank == 0)
        {
            return Reshape(input, [1]);
        }

        var start = OnnxShapes.Axis(startDim, input.Rank, "flatten");
        var end = OnnxShapes.Axis(endDim, input.Rank, "flatten");
        if (start > end)
        {
            throw new ArgumentException($"flatten: the start dimension {startDim} comes after the end dimension {endDim}.");
        }

        if (start == end)
        {
            return input;
        }

        var merged = OnnxShapes.Product(input.Shape[start..(end + 1)]);
        var shape = input.Shape[..start].Append(merged).Concat(input.Shape[(end + 1)..]).ToArray();
        if (start == 1 && end == input.Rank - 1)
        {
            return Node("Flatten", [input], shape, input.ElementType, IntAttribute("axis", 1));
        }

        var trailing = input.Shape[(end + 1)..];
        if (trailing.Any(size => size < 0))
        {
            throw new NotSupportedException($"flatten({startDim}, {endDim}) of a value shaped [{string.Join(", ", input.Shape)}]: the dimensions after the flattened ones must have known sizes.");
        }

        var target = Enumerable.Repeat(0L, start).Append(-1).Concat(trailing).ToArray();
        return Node("Reshape", [input, Int64Initializer("shape_" + nextId, target)], shape, input.ElementType);
    }

    /// <summary>
    /// x.reshape(shape) / x.view(shape): -1 is inferred; <see cref="DynamicBatchSize"/> (from <see cref="Size"/>) must be at
    /// the position of the input's batch dimension, which the graph then keeps.
    /// </summary>
    public OnnxValue Reshape(OnnxValue input, long[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var target = new long[shape.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            target[i] = shape[i] switch
            {
                DynamicBatchSize when i < input.Rank && input.Shape[i] == OnnxValue.BatchDimension => 0,
                DynamicBatchSize => throw new NotSupportedException($"reshape: the dynamic batch size can only stay at its own position ({Array.IndexOf(input.Shape, OnnxValue.BatchDimension)}), not move to {i}; use -1 there or export with dynamicBatch: false."),
                0 => throw new ArgumentException($"reshape: size 0 at index {i} is not supported by the export."),
                _ => shape[i],
            };
        }

        var result = OnnxShapes.Reshape(input.Shape, target);
        return Node("Reshape", [input, Int64Initializer("shape_" + nextId, target)], result, input.ElementType);
    }

    /// <summary>x.permute(dims).</summary>
    public OnnxValue Permute(OnnxValue input, long[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        var perm = dims.Select(d => (long)OnnxShapes.Axis(d, input.Rank, "permute")).ToArray();
        if (perm.Length != input.Rank || perm.Distinct().Count() != perm.Length)
        {
            throw new ArgumentException($"permute: [{string.Join(", ", dims)}] is not a permutation of the {input.Rank} dimensions.");
        }

        return Node("Transpose", [input], perm.Select(p => input.Shape[p]).ToArray(), input.ElementType, IntsAttribute("perm", perm));
    }

    /// <summary>x.transpose(dim0, dim1): swaps two dimensions.</summary>
    public OnnxValue Transpose(OnnxValue input, long dim0, long dim1)
    {
        var perm = Enumerable.Range(0, input.Rank).Select(i => (long)i).ToArray();
        var a = OnnxShapes.Axis(dim0, input.Rank, "transpose");
        var b = OnnxShapes.Axis(dim1, input.Rank, "transpose");
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(input, perm);
    }

    /// <summary>matmul(a, b), with NumPy's broadcasting.</summary>
    public OnnxValue MatMul(OnnxValue a, OnnxValue b)
        => Node("MatMul", [a, b], OnnxShapes.MatMul(a.Shape, b.Shape), a.ElementType);

    /// <summary>a + b.</summary>
    public OnnxValue Add(OnnxValue a, OnnxValue b) => Elementwise("Add", a, b);

    /// <summary>a + scalar.</summary>
    public OnnxValue Add(OnnxValue a, double b) => Elementwise("Add", a, Scalar(b));

    /// <summary>scalar + b.</summary>
    public OnnxValue Add(double a, OnnxValue b) => Elementwise("Add", Scalar(a), b);

    /// <summary>a - b.</summary>
    public OnnxValue Sub(OnnxValue a, OnnxValue b) => Elementwise("Sub", a, b);

    /// <summary>a - scalar.</summary>
    public OnnxValue Sub(OnnxValue a, double b) => Elementwise("Sub", a, Scalar(b));

    /// <summary>scalar - b.</summary>
    public OnnxValue Sub(double a, OnnxValue b) => Elementwise("Sub", Scalar(a), b);

    /// <summary>a * b.</summary>
    public OnnxValue Mul(OnnxValue a, OnnxValue b) => Elementwise("Mul", a, b);

    /// <summary>a * scalar.</summary>
    public OnnxValue Mul(OnnxValue a, double b) => Elementwise("Mul", a, Scalar(b));

    /// <summary>scalar * b.</summary>
    public OnnxValue Mul(double a, OnnxValue b) => Elementwise("Mul", Scalar(a), b);

    /// <summary>a / b.</summary>
    public OnnxValue Div(OnnxValue a, OnnxValue b) => Elementwise("Div", a, b);

    /// <summary>a / scalar.</summary>
    public OnnxValue Div(OnnxValue a, double b) => Elementwise("Div", a, Scalar(b));

    /// <summary>scalar / b.</summary>
    public OnnxValue Div(double a, OnnxValue b) => Elementwise("Div", Scalar(a), b);

    /// <summary>cat(values, dim): joins the values along <paramref name="dim"/>.</summary>
    public OnnxValue Concat(OnnxValue[] values, long dim)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length == 0 || values.Any(v => v.Rank != values[0].Rank))
        {
            throw new ArgumentException("cat: needs at least one value, all with the same number of dimensions.");
        }

        var axis = OnnxShapes.Axis(dim, values[0].Rank, "cat");
        var shape = (long[])values[0].Shape.Clone();
        shape[axis] = values.Any(v => v.Shape[axis] < 0) ? OnnxValue.UnknownDimension : values.Sum(v => v.Shape[axis]);
        return Node("Concat", values, shape, values[0].ElementType, IntAttribute("axis", axis));
    }

    /// <summary>x.mean(dims, keepdim).</summary>
    public OnnxValue Mean(OnnxValue input, long[] dims, bool keepDim = false)
    {
        var (axes, shape) = Reduced(input, dims, keepDim, "mean");
        return Node("ReduceMean", [input], shape, input.ElementType, IntsAttribute("axes", axes), IntAttribute("keepdims", keepDim ? 1 : 0));
    }

    /// <summary>x.sum(dims, keepdim).</summary>
    public OnnxValue Sum(OnnxValue input, long[] dims, bool keepDim = false)
    {
        var (axes, shape) = Reduced(input, dims, keepDim, "sum");
        return Node("ReduceSum", [input, Int64Initializer("axes_" + nextId, axes)], shape, input.ElementType, IntAttribute("keepdims", keepDim ? 1 : 0));
    }

    private static (long[] Axes, long[] Shape) Reduced(OnnxValue input, long[] dims, bool keepDim, string operation)
    {
        ArgumentNullException.ThrowIfNull(dims);
        if (dims.Length == 0)
        {
            throw new ArgumentException($"{operation}: name the dimensions to reduce.");
        }

        var axes = dims.Select(d => (long)OnnxShapes.Axis(d, input.Rank, operation)).Distinct().OrderBy(a => a).ToArray();
        var shape = input.Shape
            .Select((size, i) => axes.Contains(i) ? (keepDim ? 1 : (long?)null) : size)
            .Where(size => size is not null)
            .Select(size => size!.Value)
            .ToArray();
        return (axes, shape);
    }

    private OnnxValue Elementwise(string opType, OnnxValue a, OnnxValue b)
        => Node(opType, [a, b], OnnxShapes.Broadcast(a.Shape, b.Shape), a.ElementType);
}
