using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Export.Onnx;
using static TorchSharp.torch;

namespace Volt.Export;

/// <summary>The TorchSharp layers: each reads its configuration and weights from the module at export time.</summary>
public sealed partial class OnnxGraphBuilder
{
    /// <summary>A registered submodule of a class with a generated export (<see cref="IOnnxExportable"/>).</summary>
    /// <param name="name">The submodule's path, the prefix of its parameter names (e.g. "network").</param>
    /// <param name="module">The submodule.</param>
    /// <param name="input">Its input.</param>
    public OnnxValue Submodule(string name, nn.Module module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        return module is IOnnxExportable exportable
            ? exportable.AppendOnnx(this, name + ".", input)
            : throw new NotSupportedException($"The submodule '{name}' is a {module.GetType().FullName}, which has no ONNX export. Mark its class [OnnxExport] (a partial class whose forward the generator can translate; see docs/export.md).");
    }

    /// <summary>nn.Linear: y = x Wᵀ + b (Gemm for two-dimensional input, MatMul and Add otherwise).</summary>
    public OnnxValue Linear(string name, Linear module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        var weight = Initializer(name + ".weight", module.weight);
        var bias = module.bias is { } b ? Initializer(name + ".bias", b) : null;
        var shape = input.Shape[..^1].Append(module.out_features).ToArray();
        if (input.Rank == 2)
        {
            return Node("Gemm", bias is null ? [input, weight] : [input, weight, bias], shape, input.ElementType, IntAttribute("transB", 1));
        }

        var transposed = Node("Transpose", [weight], [module.in_features, module.out_features], OnnxElementType.Float, IntsAttribute("perm", [1, 0]));
        var product = Node("MatMul", [input, transposed], shape, input.ElementType);
        return bias is null ? product : Node("Add", [product, bias], shape, input.ElementType);
    }

    /// <summary>nn.Conv1d (zero padding only).</summary>
    public OnnxValue Conv1d(string name, Conv1d module, OnnxValue input) => Convolution(name, module, input, 1);

    /// <summary>nn.Conv2d (zero padding only).</summary>
    public OnnxValue Conv2d(string name, Conv2d module, OnnxValue input) => Convolution(name, module, input, 2);

    private OnnxValue Convolution(string name, Convolution module, OnnxValue input, int spatial)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module.padding_mode != PaddingModes.Zeros)
        {
            throw new NotSupportedException($"'{name}' pads with {module.padding_mode}; the ONNX export supports zero padding only.");
        }

        RequireRank(name, input, spatial + 2);
        var kernel = module.kernel_size;
        var dilation = module.dilation;
        var pads = new long[2 * spatial];
        for (var i = 0; i < spatial; i++)
        {
            var (begin, end) = module.padding_type switch
            {
                Padding.Valid => (0L, 0L),
                Padding.Same => (dilation[i] * (kernel[i] - 1) / 2, dilation[i] * (kernel[i] - 1) - (dilation[i] * (kernel[i] - 1) / 2)),
                _ => (module.padding![i], module.padding![i]),
            };
            pads[i] = begin;
            pads[spatial + i] = end;
        }

        var weight = Initializer(name + ".weight", module.weight);
        var bias = module.bias is { } b ? Initializer(name + ".bias", b) : null;
        var shape = OnnxShapes.Windowed(input.Shape, module.out_channels, kernel, module.stride, pads, dilation, ceilMode: false);
        return Node(
            "Conv",
            bias is null ? [input, weight] : [input, weight, bias],
            shape,
            input.ElementType,
            IntsAttribute("kernel_shape", kernel),
            IntsAttribute("strides", module.stride),
            IntsAttribute("pads", pads),
            IntsAttribute("dilations", dilation),
            IntAttribute("group", module.groups));
    }

    /// <summary>nn.BatchNorm1d in eval mode: normalizes with the running statistics.</summary>
    public OnnxValue BatchNorm1d(string name, BatchNorm1d module, OnnxValue input) => BatchNorm(name, module, input);

    /// <summary>nn.BatchNorm2d in eval mode: normalizes with the running statistics.</summary>
    public OnnxValue BatchNorm2d(string name, BatchNorm2d module, OnnxValue input) => BatchNorm(name, module, input);

    private OnnxValue BatchNorm(string name, BatchNorm module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module.running_mean is null || module.running_var is null)
        {
            throw new NotSupportedException($"'{name}' does not track running statistics (track_running_stats: false), so in eval mode it normalizes with each batch's own statistics; the ONNX export supports running statistics only.");
        }

        using var scope = torch.NewDisposeScope();
        var features = module.num_features;
        var scale = module.weight is { } w ? Initializer(name + ".weight", w) : Initializer(name + ".weight", torch.ones(features));
        var bias = module.bias is { } b ? Initializer(name + ".bias", b) : Initializer(name + ".bias", torch.zeros(features));
        var mean = Initializer(name + ".running_mean", module.running_mean);
        var variance = Initializer(name + ".running_var", module.running_var);
        return Node("BatchNormalization", [input, scale, bias, mean, variance], input.Shape, input.ElementType, FloatAttribute("epsilon", module.eps));
    }

    /// <summary>nn.LayerNorm over its normalized_shape (the last dimensions).</summary>
    public OnnxValue LayerNorm(string name, LayerNorm module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = torch.NewDisposeScope();
        var normalized = module.normalized_shape;
        var scale = module.elementwise_affine ? Initializer(name + ".weight", module.weight) : Initializer(name + ".weight", torch.ones(normalized));
        var bias = module.bias is { } b ? Initializer(name + ".bias", b) : Initializer(name + ".bias", torch.zeros(normalized));
        return Node("LayerNormalization", [input, scale, bias], input.Shape, input.ElementType, IntAttribute("axis", -normalized.Length), FloatAttribute("epsilon", module.eps));
    }

    /// <summary>nn.Embedding: looks up rows of the weight; the input holds int64 indices.</summary>
    public OnnxValue Embedding(string name, Embedding module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (input.ElementType != OnnxElementType.Int64)
        {
            throw new NotSupportedException($"'{name}' is an embedding; its input must hold int64 indices, not {input.ElementType}.");
        }

        var weight = Initializer(name + ".weight", module.weight!);
        return Node("Gather", [weight, input], input.Shape.Append(weight.Shape[1]).ToArray(), OnnxElementType.Float, IntAttribute("axis", 0));
    }

    /// <summary>nn.Dropout in eval mode: the identity, so the graph gets no node.</summary>
    public OnnxValue Dropout(OnnxValue input) => input;

    /// <summary>nn.GELU, exact or with the tanh approximation.</summary>
    public OnnxValue Gelu(GELU module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Gelu(input, module.approximate == GELU.Approximate.tanh);
    }

    /// <summary>nn.Softmax over its dimension.</summary>
    public OnnxValue Softmax(Softmax module, OnnxValue input) => Softmax(input, module.dim);

    /// <summary>nn.LogSoftmax over its dimension.</summary>
    public OnnxValue LogSoftmax(LogSoftmax module, OnnxValue input) => LogSoftmax(input, module.dim);

    /// <summary>nn.Flatten over its start and end dimensions.</summary>
    public OnnxValue Flatten(Flatten module, OnnxValue input) => Flatten(input, module.start_dim, module.end_dim);

    /// <summary>nn.MaxPool2d.</summary>
    public OnnxValue MaxPool2d(MaxPool2d module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        return Pool("MaxPool", input, module.kernel_size, module.stride, module.padding, module.dilation, module.ceil_mode);
    }

    /// <summary>nn.AvgPool2d (without divisor_override).</summary>
    public OnnxValue AvgPool2d(AvgPool2d module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (module.divisor_override is not null)
        {
            throw new NotSupportedException("AvgPool2d with divisor_override has no ONNX equivalent; the export supports the default divisor.");
        }

        return Pool("AveragePool", input, module.kernel_size, module.stride, module.padding, null, module.ceil_mode, IntAttribute("count_include_pad", module.count_include_pad ? 1 : 0));
    }

    /// <summary>nn.AdaptiveAvgPool2d: global average pooling for output size 1×1, otherwise average pooling with windows that tile the input exactly.</summary>
    public OnnxValue AdaptiveAvgPool2d(AdaptiveAvgPool2d module, OnnxValue input)
    {
        ArgumentNullException.ThrowIfNull(module);
        RequireRank("AdaptiveAvgPool2d", input, 4);
        var output = module.output_size;
        if (output.All(size => size == 1))
        {
            return Node("GlobalAveragePool", [input], [input.Shape[0], input.Shape[1], 1, 1], input.ElementType);
        }

        var inputSize = input.Shape[2..];
        if (inputSize.Any(size => size < 0) || inputSize.Zip(output, (i, o) => i % o).Any(rest => rest != 0))
        {
            throw new NotSupportedException($"AdaptiveAvgPool2d to [{string.Join(", ", output)}] from [{string.Join(", ", inputSize)}]: the ONNX export needs an output size of 1 or one that divides the (known) input size.");
        }

        var kernel = inputSize.Zip(output, (i, o) => i / o).ToArray();
        return Pool("AveragePool", input, kernel, kernel, null, null, false);
    }

    private OnnxValue Pool(string opType, OnnxValue input, long[] kernel, long[]? stride, long[]? padding, long[]? dilation, bool ceilMode, params AttributeProto[] extra)
    {
        RequireRank(opType, input, kernel.Length + 2);
        var strides = stride is { Length: > 0 } ? stride : kernel;
        var pad = padding is { Length: > 0 } ? padding : new long[kernel.Length];
        var dilations = dilation is { Length: > 0 } ? dilation : Enumerable.Repeat(1L, kernel.Length).ToArray();
        var pads = pad.Concat(pad).ToArray();
        var shape = OnnxShapes.Windowed(input.Shape, input.Shape[1], kernel, strides, pads, dilations, ceilMode);
        var attributes = new[]
        {
            IntsAttribute("kernel_shape", kernel),
            IntsAttribute("strides", strides),
            IntsAttribute("pads", pads),
            IntAttribute("ceil_mode", ceilMode ? 1 : 0),
        }.Concat(dilation is null ? [] : [IntsAttribute("dilations", dilations)]).Concat(extra).ToArray();
        return Node(opType, [input], shape, input.ElementType, attributes);
    }

    private static void RequireRank(string name, OnnxValue input, int rank)
    {
        if (input.Rank != rank)
        {
            throw new NotSupportedException($"'{name}' expects an input with {rank} dimensions; the export input reaching it has {input.Rank} ([{string.Join(", ", input.Shape)}]). Check the inputShape passed to ExportOnnx.");
        }
    }
}
