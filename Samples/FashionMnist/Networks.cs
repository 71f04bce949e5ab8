using System;
using TorchSharp;
using TorchSharp.Modules;
using Volt;
using static TorchSharp.torch;

namespace FashionMnistSample;

/// <summary>The two architectures the sample trains, by name.</summary>
public static class Networks
{
    /// <summary>The accepted names: "mlp" and "cnn".</summary>
    public const string Names = "mlp, cnn";

    /// <summary>Creates the network called <paramref name="architecture"/>.</summary>
    public static nn.Module<Tensor, Tensor> Create(string architecture, int hiddenSize) => architecture switch
    {
        "mlp" => new Mlp(hiddenSize),
        "cnn" => new Cnn(),
        _ => throw new ArgumentException($"Unknown architecture '{architecture}'; use one of: {Names}.", nameof(architecture)),
    };
}

/// <summary>The multilayer perceptron from the seeds: 784 → hidden (ReLU) → 10.</summary>
[OnnxExport]
public sealed partial class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear hidden;
    private readonly Linear output;

    /// <summary>Creates the network.</summary>
    /// <param name="hiddenSize">Width of the hidden layer.</param>
    public Mlp(int hiddenSize) : base("mlp")
    {
        hidden = nn.Linear(28 * 28, hiddenSize);
        output = nn.Linear(hiddenSize, 10);
        RegisterComponents();
    }

    /// <summary>Maps images (N×1×28×28) to class logits (N×10).</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var features = nn.functional.relu(hidden.forward(images.flatten(1)));
        return output.forward(features).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Two 5×5 convolutions with 2×2 max pooling, then two linear layers: the "two conv layers + pooling"
/// row of the dataset's benchmark table.
/// </summary>
[OnnxExport]
public sealed partial class Cnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly Conv2d conv2;
    private readonly MaxPool2d pool;
    private readonly Linear hidden;
    private readonly Linear output;

    /// <summary>Creates the network.</summary>
    /// <param name="channels">Channels of the first convolution; the second has twice as many.</param>
    public Cnn(int channels = 32) : base("cnn")
    {
        conv1 = nn.Conv2d(1, channels, 5, padding: 2);
        conv2 = nn.Conv2d(channels, channels * 2, 5, padding: 2);
        pool = nn.MaxPool2d(2);
        hidden = nn.Linear(channels * 2 * 7 * 7, 256);
        output = nn.Linear(256, 10);
        RegisterComponents();
    }

    /// <summary>Maps images (N×1×28×28) to class logits (N×10).</summary>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = pool.forward(nn.functional.relu(conv1.forward(images)));
        x = pool.forward(nn.functional.relu(conv2.forward(x)));
        x = nn.functional.relu(hidden.forward(x.flatten(1)));
        return output.forward(x).MoveToOuterDisposeScope();
    }
}
