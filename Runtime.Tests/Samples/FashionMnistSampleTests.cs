using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using FashionMnistSample;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Samples;

/// <summary>The Fashion-MNIST sample on a small subset of the real data set.</summary>
public sealed class FashionMnistSampleTests : IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void SubsetRunLearnsAndPrintsMetricsAndARepeatableFingerprint()
    {
        var options = new SampleOptions
        {
            Epochs = 2,
            LimitTrainBatches = 40,
            LimitValBatches = 2,
            LimitTestBatches = 2,
            RootDirectory = root.Path,
            Seed = 5,
        };

        var firstConsole = new StringWriter();
        var first = SampleRun.Run(options, firstConsole);
        var second = SampleRun.Run(options with { Progress = false }, new StringWriter());

        var text = firstConsole.ToString();
        Assert.Matches(new Regex(@"^Epoch 1/1 .*val_acc: 0\.\d{3}", RegexOptions.Multiline), text);
        var accuracy = double.Parse(Regex.Match(text, @"^test_acc: (0\.\d{4})$", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.6, $"test_acc after 80 small steps was {accuracy}");
        var f1 = double.Parse(Regex.Match(text, @"^test_f1: (0\.\d{4})$", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(f1, 0.3, accuracy + 0.1);
        Assert.InRange(first.TestMetrics["test_acc"], 0.0, 1.0);
        Assert.Matches(new Regex("^weights_sha256: [0-9a-f]{64}$", RegexOptions.Multiline), text);
        Assert.Equal(first.WeightsSha256, second.WeightsSha256);
        Assert.True(File.Exists(Path.Combine(first.LogDirectory!, "hparams.json")));

        var third = SampleRun.Run(options with { Seed = 6, Progress = false }, new StringWriter());
        Assert.NotEqual(first.WeightsSha256, third.WeightsSha256);
    }

    [Fact]
    public void CnnRunsOnAFewBatches()
    {
        var options = new SampleOptions
        {
            Model = "cnn",
            Epochs = 1,
            LimitTrainBatches = 5,
            LimitValBatches = 1,
            LimitTestBatches = 1,
            RootDirectory = root.Path,
            Progress = false,
        };

        var result = SampleRun.Run(options, new StringWriter());
        Assert.InRange(result.TestMetrics["test_acc"], 0.0, 1.0);
        Assert.True(result.TestMetrics["test_loss"] > 0);
    }

    [Fact]
    public void Bf16MixedTrainsTheMlpWithinOnePointOfFloat32()
    {
        var options = new SampleOptions { Epochs = 2, LimitValBatches = 1, RootDirectory = root.Path, Progress = false };
        var full = SampleRun.Run(options, new StringWriter()).TestMetrics["test_acc"];
        var mixed = SampleRun.Run(options with { Precision = "bf16-mixed" }, new StringWriter()).TestMetrics["test_acc"];
        Assert.True(full > 0.84, $"float32 reached only {full}");
        Assert.True(Math.Abs(full - mixed) <= 0.01, $"float32 {full:F4} vs bf16-mixed {mixed:F4}");
    }

    [Theory]
    [InlineData("--model", "rnn", "--model")]
    [InlineData("--epochs", "0", "--epochs")]
    [InlineData("--lr", "fast", "--lr")]
    [InlineData("--lr", "1e300", "float32")]
    [InlineData("--frobnicate", "1", "--frobnicate")]
    public void BadFlagsNameTheFlag(string flag, string value, string named)
    {
        var error = Assert.Throws<ArgumentException>(() => SampleOptions.Parse([flag, value]));
        Assert.Contains(named, error.Message);
    }

    [Fact]
    public void FlagsParse()
    {
        var options = SampleOptions.Parse(["--model", "cnn", "--epochs", "3", "--batch-size", "32", "--lr", "0.002", "--seed", "9", "--data", "/d", "--root", "/r", "--limit-train-batches", "7"]);
        Assert.Equal(new SampleOptions { Model = "cnn", Epochs = 3, BatchSize = 32, LearningRate = 0.002, Seed = 9, DataDirectory = "/d", RootDirectory = "/r", LimitTrainBatches = 7 }, options);
    }

    public void Dispose() => root.Dispose();
}
