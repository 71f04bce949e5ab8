using System.ComponentModel;

namespace Volt.Export;

/// <summary>The element types an exported graph carries.</summary>
public enum OnnxElementType
{
    /// <summary>32-bit floating point (ONNX FLOAT).</summary>
    Float = 1,

    /// <summary>64-bit integer (ONNX INT64), for example the token indices an embedding reads.</summary>
    Int64 = 7,
}

/// <summary>
/// One value in a graph being built: the name of a graph input or node output, with its shape as far as
/// it is known at export time. Generated export code passes these between <see cref="OnnxGraphBuilder"/> calls.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class OnnxValue
{
    /// <summary>A dimension equal to the graph input's (dynamic) batch size.</summary>
    public const long BatchDimension = -1;

    /// <summary>A dimension whose size depends on the input in a way the builder does not track.</summary>
    public const long UnknownDimension = -2;

    internal OnnxValue(string name, long[] shape, OnnxElementType elementType)
    {
        Name = name;
        Shape = shape;
        ElementType = elementType;
    }

    /// <summary>The value's name in the graph.</summary>
    public string Name { get; }

    /// <summary>The sizes: known sizes, <see cref="BatchDimension"/> or <see cref="UnknownDimension"/>.</summary>
    public long[] Shape { get; }

    /// <summary>The number of dimensions.</summary>
    public int Rank => Shape.Length;

    /// <summary>The element type.</summary>
    public OnnxElementType ElementType { get; }
}
