using System;
using static TorchSharp.torch;

namespace Volt.Serving;

/// <summary>
/// The shape and element type of one example of a tensor in the <c>[PredictStep]</c> batch of a
/// <see cref="ServeAttribute"/> module, without the batch dimension. The generated request reader checks
/// every example of that JSON field against it and answers 400 naming the field when it does not fit.
/// </summary>
/// <param name="member">The batch type's tensor property or field (use <c>nameof</c>); for a batch that is a
/// <c>Tensor</c> itself, <c>"Inputs"</c>.</param>
/// <param name="shape">The size of each dimension of one example; none for a scalar per example (such as a label).</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ExampleShapeAttribute(string member, params long[] shape) : Attribute
{
    /// <summary>The batch member this shape is for.</summary>
    public string Member { get; } = member;

    /// <summary>The shape of one example, without the batch dimension.</summary>
    public long[] Shape { get; } = shape;

    /// <summary>The tensor's element type: Float32 (default), Float64, Int32 or Int64 (integers must be whole JSON numbers).</summary>
    public ScalarType DType { get; set; } = ScalarType.Float32;
}
