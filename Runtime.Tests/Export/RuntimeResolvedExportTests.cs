using System;
using System.IO;
using TorchSharp;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Export;

/// <summary>
/// A submodule field declared as nn.Module&lt;Tensor, Tensor&gt; (VOLT0063): ExportOnnx exists, exports an
/// [OnnxExport] instance, and throws naming the field, without writing a file, for any other instance.
/// </summary>
public sealed class RuntimeResolvedExportTests : IDisposable
{
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void AnUnexportableInstanceThrowsNamingTheFieldAndWritesNothing()
    {
        using var wrapper = new ChosenNetwork(nn.Sequential(nn.Linear(4, 2), nn.ReLU()));
        Directory.CreateDirectory(root.Path);
        var path = Path.Combine(root.Path, "chosen.onnx");
        var error = Assert.Throws<NotSupportedException>(() => wrapper.ExportOnnx(path, [1, 4]));
        Assert.Contains("'network'", error.Message, StringComparison.Ordinal);
        Assert.Contains("[OnnxExport]", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(root.Path));
    }

    [Fact]
    public void AnExportableInstanceIsExported()
    {
        torch.manual_seed(3);
        using var wrapper = new ChosenNetwork(new FashionMnistSample.Mlp(16));
        Directory.CreateDirectory(root.Path);
        var path = Path.Combine(root.Path, "chosen.onnx");
        wrapper.ExportOnnx(path, [1, 1, 28, 28]);
        Assert.True(new FileInfo(path).Length > 4 * 784 * 16);
    }
}

/// <summary>Runs a network chosen by whoever constructs it.</summary>
[OnnxExport]
public sealed partial class ChosenNetwork : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> network;

    public ChosenNetwork(nn.Module<Tensor, Tensor> network) : base("chosen")
    {
        this.network = network;
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => network.forward(input);
}
