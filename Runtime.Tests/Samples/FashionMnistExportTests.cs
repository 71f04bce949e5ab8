using System;
using System.IO;
using System.Linq;
using FashionMnistSample;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Samples;

/// <summary>The sample's <c>export --ckpt-path FILE --output model.onnx</c> on a checkpoint from a short real run.</summary>
public sealed class FashionMnistExportTests : IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void ExportWritesTheCheckpointsClassifierAsOnnxThatRunsAnyBatchSize()
    {
        var run = SampleRun.Run(
            ["--epochs", "1", "--limit-train-batches", "3", "--limit-val-batches", "1", "--limit-test-batches", "1", "--root", root.Path, "--no-progress"],
            new StringWriter());
        var checkpoint = Directory.EnumerateFiles(run.LogDirectory!, "last.ckpt", SearchOption.AllDirectories).Single();
        var output = Path.Combine(root.Path, "model.onnx");

        var console = new StringWriter();
        var exitCode = ExportOnnxCommand.Run(["--ckpt-path", checkpoint, "--output", output], console, new StringWriter());

        Assert.Equal(0, exitCode);
        Assert.Contains("model.onnx", console.ToString());
        using var classifier = FashionClassifier.LoadFromCheckpoint(checkpoint);
        classifier.eval();
        using var session = new InferenceSession(output);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        torch.manual_seed(3);
        var images = torch.rand(5, 1, 28, 28);
        var expected = classifier.forward(images).data<float>().ToArray();
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("images", new DenseTensor<float>(images.data<float>().ToArray(), [5, 1, 28, 28]))]);
        var actual = results.Single().AsTensor<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.True(Math.Abs(pair.First - pair.Second) <= 1e-5, $"{pair.First} vs {pair.Second}"));
    }

    [Fact]
    public void BadArgumentsAndAMissingCheckpointAreNamedAndWriteNothing()
    {
        var errors = new StringWriter();
        Assert.Equal(2, ExportOnnxCommand.Run(["--ckpt-path", "x.ckpt"], new StringWriter(), errors));
        Assert.Contains("--output", errors.ToString());

        errors = new StringWriter();
        Assert.Equal(2, ExportOnnxCommand.Run(["--ckpt-path", "x.ckpt", "--output", "m.onnx", "--format", "tflite"], new StringWriter(), errors));
        Assert.Contains("--format is 'tflite'", errors.ToString());

        errors = new StringWriter();
        var missing = Path.Combine(root.Path, "missing.ckpt");
        var output = Path.Combine(root.Path, "model.onnx");
        Assert.Equal(1, ExportOnnxCommand.Run(["--ckpt-path", missing, "--output", output], new StringWriter(), errors));
        Assert.Contains("missing.ckpt", errors.ToString());
        Assert.False(File.Exists(output));
    }

    public void Dispose() => root.Dispose();
}
