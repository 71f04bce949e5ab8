using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.Linq;
using Google.Protobuf;
using TorchSharp;
using Volt.Export.Onnx;
using static TorchSharp.torch;

namespace Volt.Export;

/// <summary>
/// Builds an ONNX graph one layer or tensor operation at a time and writes it as an ONNX model
/// (<see cref="Opset"/>, IR version 8). The generated <c>ExportOnnx</c> methods call it in the order of the
/// module's forward method; weights become initializers, read from the modules at export time, and every
/// layer has its eval-mode meaning (dropout is the identity, batch normalization uses the running statistics).
/// Each method names the layer or operation it cannot translate in the exception it throws.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed partial class OnnxGraphBuilder
{
    /// <summary>The ONNX operator set the graph uses (the default domain, version 17).</summary>
    public const int Opset = 17;

    /// <summary>The ONNX IR version written: 8, the version of opset 17 (ONNX 1.12).</summary>
    public const int IrVersion = 8;

    /// <summary>The symbolic name of a dynamic batch dimension in the graph's inputs and outputs.</summary>
    public const string BatchDimensionName = "batch";

    private readonly GraphProto graph;
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private int nextId;

    /// <summary>Starts an empty graph called <paramref name="graphName"/>.</summary>
    public OnnxGraphBuilder(string graphName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        graph = new GraphProto { Name = graphName };
    }

    /// <summary>Declares the graph input.</summary>
    /// <param name="name">The input's name (the forward method's parameter name).</param>
    /// <param name="shape">The input's shape, including an example batch size first.</param>
    /// <param name="dynamicBatch">True: the first dimension is the symbolic <see cref="BatchDimensionName"/>, so any batch size runs.</param>
    /// <param name="elementType">The input's element type.</param>
    public OnnxValue Input(string name, long[] shape, bool dynamicBatch, OnnxElementType elementType = OnnxElementType.Float)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(size => size < 1))
        {
            throw new ArgumentException($"The input shape [{string.Join(", ", shape)}] must have at least one dimension, each at least 1 (the batch size first).", nameof(shape));
        }

        var tracked = (long[])shape.Clone();
        if (dynamicBatch)
        {
            tracked[0] = OnnxValue.BatchDimension;
        }

        var value = new OnnxValue(Reserve(name), tracked, elementType);
        graph.Input.Add(Describe(value));
        return value;
    }

    /// <summary>Declares <paramref name="value"/> as the graph output called <paramref name="name"/>.</summary>
    public void Output(OnnxValue value, string name = "output")
    {
        ArgumentNullException.ThrowIfNull(value);
        var output = new OnnxValue(Reserve(name), value.Shape, value.ElementType);
        AddNode("Identity", [value.Name], output.Name);
        graph.Output.Add(Describe(output));
    }

    /// <summary>The finished model: the graph with its opset and producer.</summary>
    internal ModelProto ToModel()
    {
        if (graph.Input.Count == 0 || graph.Output.Count == 0)
        {
            throw new InvalidOperationException("The ONNX graph needs an input and an output before it can be written.");
        }

        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "Volt",
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            Graph = graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        return model;
    }

    /// <summary>Writes the model to <paramref name="path"/> (replaced atomically: readers never see a partial file).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var model = ToModel();
        AtomicFile.Write(path, stream => model.WriteTo(stream));
    }

    /// <summary>Adds a node and returns its single output, whose shape the caller worked out.</summary>
    private OnnxValue Node(string opType, IEnumerable<OnnxValue> inputs, long[] shape, OnnxElementType elementType, params AttributeProto[] attributes)
    {
        var output = new OnnxValue(Reserve(opType.ToLowerInvariant() + "_" + nextId.ToString(CultureInfo.InvariantCulture)), shape, elementType);
        AddNode(opType, inputs.Select(i => i.Name), output.Name, attributes);
        return output;
    }

    /// <summary>A node whose output has the shape and element type of its first input.</summary>
    private OnnxValue SameShapeNode(string opType, OnnxValue input, params AttributeProto[] attributes)
        => Node(opType, [input], input.Shape, input.ElementType, attributes);

    private void AddNode(string opType, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = opType + "_" + nextId.ToString(CultureInfo.InvariantCulture) };
        nextId++;
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
    }

    /// <summary>Adds a tensor's current values as an initializer called <paramref name="name"/>.</summary>
    private OnnxValue Initializer(string name, Tensor tensor)
    {
        using var scope = torch.NewDisposeScope();
        var values = tensor.detach().cpu().to(ScalarType.Float32).contiguous();
        return Initializer(name, values.shape, values.data<float>().ToArray());
    }

    /// <summary>Adds float values with <paramref name="shape"/> as an initializer.</summary>
    private OnnxValue Initializer(string name, long[] shape, float[] values)
    {
        var value = new OnnxValue(Reserve(name), shape, OnnxElementType.Float);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; this machine is big-endian.");
        }

        var proto = new TensorProto { Name = value.Name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        proto.Dims.AddRange(shape);
        graph.Initializer.Add(proto);
        return value;
    }

    /// <summary>Adds 64-bit integers as a one-dimensional initializer (shapes and axes that ops take as inputs).</summary>
    private OnnxValue Int64Initializer(string name, long[] values)
    {
        var value = new OnnxValue(Reserve(name), [values.Length], OnnxElementType.Int64);
        var proto = new TensorProto { Name = value.Name, DataType = (int)TensorProto.Types.DataType.Int64 };
        proto.Dims.Add(values.Length);
        proto.Int64Data.AddRange(values);
        graph.Initializer.Add(proto);
        return value;
    }

    /// <summary>A float scalar constant.</summary>
    private OnnxValue Scalar(double value)
        => Initializer("const_" + nextId++.ToString(CultureInfo.InvariantCulture), [], [(float)value]);

    /// <summary>Makes <paramref name="name"/> unique in the graph (a second "x" becomes "x_1").</summary>
    private string Reserve(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var unique = name;
        for (var suffix = 1; !names.Add(unique); suffix++)
        {
            unique = name + "_" + suffix.ToString(CultureInfo.InvariantCulture);
        }

        return unique;
    }

    private static ValueInfoProto Describe(OnnxValue value)
    {
        var shape = new TensorShapeProto();
        foreach (var size in value.Shape)
        {
            shape.Dim.Add(size switch
            {
                OnnxValue.BatchDimension => new TensorShapeProto.Types.Dimension { DimParam = BatchDimensionName },
                OnnxValue.UnknownDimension => new TensorShapeProto.Types.Dimension(),
                _ => new TensorShapeProto.Types.Dimension { DimValue = size },
            });
        }

        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)value.ElementType, Shape = shape };
        return new ValueInfoProto { Name = value.Name, Type = new TypeProto { TensorType = tensorType } };
    }

    private static AttributeProto IntAttribute(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    private static AttributeProto FloatAttribute(string name, double value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = (float)value };

    private static AttributeProto IntsAttribute(string name, IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
