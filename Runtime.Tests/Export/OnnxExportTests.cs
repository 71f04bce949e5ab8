using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using FashionMnistSample;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Volt.Runtime.Tests.Export;

/// <summary>
/// The generated ExportOnnx methods against ONNX Runtime: the exported file must give TorchSharp's eval-mode
/// outputs for a batch of 1 and, through the dynamic batch dimension, of 7; and Debian's python3-onnx checker
/// (full check, with shape inference) must accept it.
/// </summary>
public sealed class OnnxExportTests : IDisposable
{
    private const float Tolerance = 1e-5f;
    private static readonly long[] ImageShape = [1, 1, 28, 28];
    private readonly TempRoot root = new();

    public OnnxExportTests() => Directory.CreateDirectory(root.Path);

    [Fact]
    public void SampleMlpMatchesOnnxRuntimeForBatchesOfOneAndSeven()
    {
        torch.manual_seed(19);
        using var mlp = new Mlp(64);
        var path = Export(mlp.ExportOnnx, ImageShape, "mlp.onnx");
        AssertSameOutputs(mlp, path, "images", ImageShape, batchSizes: [1, 7]);
    }

    [Fact]
    public void SampleCnnMatchesOnnxRuntimeForBatchesOfOneAndSeven()
    {
        torch.manual_seed(20);
        using var cnn = new Cnn(channels: 4);
        var path = Export(cnn.ExportOnnx, ImageShape, "cnn.onnx");
        AssertSameOutputs(cnn, path, "images", ImageShape, batchSizes: [1, 7]);
    }

    [Fact]
    public void SampleClassifierExportsItsStandardizationAndTheNetworkChosenAtRunTime()
    {
        torch.manual_seed(21);
        using var classifier = new FashionClassifier("cnn");
        var path = Export(classifier.ExportOnnx, ImageShape, "classifier.onnx");
        AssertSameOutputs(classifier, path, "images", ImageShape, batchSizes: [1, 7]);
        var model = OnnxModel(path);
        Assert.Contains(model.Graph.Initializer, i => i.Name == "network.conv1.weight");
    }

    [Fact]
    public void LayersAndTensorOperationsMatchOnnxRuntimeInEvalMode()
    {
        torch.manual_seed(22);
        using var zoo = new ImageZoo();
        TrainRunningStatistics(zoo, () => torch.randn(5, 3, 8, 8));
        var shape = new long[] { 1, 3, 8, 8 };
        var path = Export(zoo.ExportOnnx, shape, "image-zoo.onnx");
        AssertSameOutputs(zoo, path, "images", shape, batchSizes: [1, 7]);

        var model = OnnxModel(path);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Dropout");
        Assert.Contains(model.Graph.Node, n => n.OpType == "BatchNormalization");
    }

    [Fact]
    public void EmbeddingNetworkTakesInt64IndicesAndMatchesOnnxRuntime()
    {
        torch.manual_seed(23);
        using var zoo = new TokenZoo();
        TrainRunningStatistics(zoo, () => torch.randint(0, 20, [5, 5], dtype: ScalarType.Int64));
        var shape = new long[] { 1, 5 };
        var path = Export(zoo.ExportOnnx, shape, "token-zoo.onnx");
        AssertSameOutputs(zoo, path, "tokens", shape, batchSizes: [1, 7], indices: true);
    }

    [Fact]
    public void FixedBatchExportRejectsAnotherBatchSize()
    {
        torch.manual_seed(24);
        using var mlp = new Mlp(16);
        var path = Path.Combine(root.Path, "fixed.onnx");
        mlp.ExportOnnx(path, [2, 1, 28, 28], dynamicBatch: false);
        using var session = new InferenceSession(path);
        Assert.Equal(2, session.InputMetadata["images"].Dimensions[0]);
        Assert.ThrowsAny<OnnxRuntimeException>(() => Run(session, "images", new DenseTensor<float>(new float[3 * 784], [3, 1, 28, 28])));
    }

    [Fact]
    public void BadInputShapeIsRefusedWithoutWritingAFile()
    {
        using var mlp = new Mlp(16);
        var path = Path.Combine(root.Path, "bad.onnx");
        var error = Assert.Throws<ArgumentException>(() => mlp.ExportOnnx(path, [0, 784]));
        Assert.Contains("[0, 784]", error.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(root.Path));
    }

    [Fact]
    public void DebianOnnxCheckerAcceptsTheExportedModelsAndRejectsABrokenOne()
    {
        torch.manual_seed(25);
        using var mlp = new Mlp(32);
        using var cnn = new Cnn(channels: 4);
        using var imageZoo = new ImageZoo();
        using var tokenZoo = new TokenZoo();
        var files = new[]
        {
            Export(mlp.ExportOnnx, ImageShape, "check-mlp.onnx"),
            Export(cnn.ExportOnnx, ImageShape, "check-cnn.onnx"),
            Export(imageZoo.ExportOnnx, [1, 3, 8, 8], "check-image-zoo.onnx"),
            Export(tokenZoo.ExportOnnx, [1, 5], "check-token-zoo.onnx"),
        };
        foreach (var file in files)
        {
            var (exitCode, output) = CheckWithPythonOnnx(file);
            Assert.True(exitCode == 0, $"onnx.checker rejected {Path.GetFileName(file)}:\n{output}");
        }

        var broken = Path.Combine(root.Path, "broken.onnx");
        var bytes = File.ReadAllBytes(files[0]);
        File.WriteAllBytes(broken, bytes[..(bytes.Length / 2)]);
        Assert.NotEqual(0, CheckWithPythonOnnx(broken).ExitCode);
    }

    public void Dispose() => root.Dispose();

    private string Export(Action<string, long[], bool> export, long[] shape, string name)
    {
        var path = Path.Combine(root.Path, name);
        export(path, shape, true);
        return path;
    }

    /// <summary>A few training-mode passes, so batch normalization's running statistics are not the initial 0 and 1.</summary>
    private static void TrainRunningStatistics(nn.Module<Tensor, Tensor> module, Func<Tensor> batch)
    {
        module.train();
        using var noGrad = torch.no_grad();
        for (var i = 0; i < 3; i++)
        {
            using var scope = torch.NewDisposeScope();
            module.forward(batch());
        }
    }

    private static void AssertSameOutputs(nn.Module<Tensor, Tensor> module, string path, string inputName, long[] shape, int[] batchSizes, bool indices = false)
    {
        module.eval();
        using var session = new InferenceSession(path);
        foreach (var batchSize in batchSizes)
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var dims = shape.Select((d, i) => i == 0 ? batchSize : d).ToArray();
            var input = indices ? torch.randint(0, 20, dims, dtype: ScalarType.Int64) : torch.randn(dims);
            var expected = module.forward(input).contiguous();
            var intDims = dims.Select(d => (int)d).ToArray();
            var onnxInput = indices
                ? NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<long>(input.data<long>().ToArray(), intDims))
                : NamedOnnxValue.CreateFromTensor(inputName, new DenseTensor<float>(input.data<float>().ToArray(), intDims));
            using var results = session.Run([onnxInput]);
            var actual = results.Single().AsTensor<float>();

            Assert.Equal(expected.shape.Select(d => (int)d).ToArray(), actual.Dimensions.ToArray());
            var want = expected.data<float>().ToArray();
            var got = actual.ToArray();
            var worst = want.Zip(got, (w, g) => Math.Abs(w - g)).Max();
            Assert.True(worst <= Tolerance, $"batch {batchSize}: the largest difference between TorchSharp and ONNX Runtime is {worst:G3} (tolerance {Tolerance:G1}).");
        }
    }

    private static void Run(InferenceSession session, string inputName, DenseTensor<float> input)
    {
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, input)]);
    }

    private static Volt.Export.Onnx.ModelProto OnnxModel(string path) => Volt.Export.Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    /// <summary>Runs onnx.checker.check_model(path, full_check=True) in Debian's python3-onnx (installed by .ci/run).</summary>
    private static (int ExitCode, string Output) CheckWithPythonOnnx(string path)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("import sys, onnx; onnx.checker.check_model(sys.argv[1], full_check=True)");
        start.ArgumentList.Add(path);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result + error);
    }
}
