using System;
using System.Collections.Generic;
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
        string[] options = ["--epochs", "2", "--limit-train-batches", "40", "--limit-val-batches", "2", "--limit-test-batches", "2", "--root", root.Path, "--seed", "5"];

        var firstConsole = new StringWriter();
        var first = SampleRun.Run(options, firstConsole);
        var second = SampleRun.Run([.. options, "--no-progress"], new StringWriter());

        var text = firstConsole.ToString();
        Assert.Matches(new Regex(@"^Epoch 1/1 .*val_acc: 0\.\d{3}", RegexOptions.Multiline), text);
        Assert.Matches(new Regex(@"^Fashion-MNIST from .*: 55000 train, 5000 validation, 10000 test images$", RegexOptions.Multiline), text);
        var accuracy = double.Parse(Regex.Match(text, @"^test_acc: (0\.\d{4})$", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(accuracy > 0.6, $"test_acc after 80 small steps was {accuracy}");
        var f1 = double.Parse(Regex.Match(text, @"^test_f1: (0\.\d{4})$", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(f1, 0.3, accuracy + 0.1);
        Assert.InRange(first.TestMetrics["test_acc"], 0.0, 1.0);
        Assert.Matches(new Regex("^weights_sha256: [0-9a-f]{64}$", RegexOptions.Multiline), text);
        Assert.Equal(first.WeightsSha256, second.WeightsSha256);
        Assert.EndsWith(Path.Combine("runs", "fashion_mnist_mlp", "version_0"), first.LogDirectory!, StringComparison.Ordinal);

        // The data module's hyperparameters are saved next to the classifier's.
        var hparams = File.ReadAllText(Path.Combine(first.LogDirectory!, "hparams.json"));
        Assert.Contains("\"architecture\": \"mlp\"", hparams, StringComparison.Ordinal);
        Assert.Contains("\"batchSize\": 64", hparams, StringComparison.Ordinal);
        Assert.Contains("\"splitSeed\": 42", hparams, StringComparison.Ordinal);

        var third = SampleRun.Run(options.Select(o => o == "5" ? "6" : o).ToArray(), new StringWriter());
        Assert.NotEqual(first.WeightsSha256, third.WeightsSha256);
    }

    [Fact]
    public void CnnRunsOnAFewBatches()
    {
        var result = SampleRun.Run(
            ["--model", "cnn", "--epochs", "1", "--limit-train-batches", "5", "--limit-val-batches", "1", "--limit-test-batches", "1", "--root", root.Path, "--no-progress"],
            new StringWriter());
        Assert.InRange(result.TestMetrics["test_acc"], 0.0, 1.0);
        Assert.True(result.TestMetrics["test_loss"] > 0);
        Assert.EndsWith(Path.Combine("runs", "fashion_mnist_cnn", "version_0"), result.LogDirectory!, StringComparison.Ordinal);
    }

    [Fact]
    public void Bf16MixedTrainsTheMlpWithinOnePointOfFloat32()
    {
        string[] options = ["--epochs", "2", "--limit-val-batches", "1", "--root", root.Path, "--no-progress"];
        var full = SampleRun.Run(options, new StringWriter()).TestMetrics["test_acc"];
        var mixed = SampleRun.Run([.. options, "--precision", "bf16-mixed"], new StringWriter()).TestMetrics["test_acc"];
        Assert.True(full > 0.84, $"float32 reached only {full}");
        Assert.True(Math.Abs(full - mixed) <= 0.01, $"float32 {full:F4} vs bf16-mixed {mixed:F4}");
    }

    // System.CommandLine names an option by its long name, also when the short one was typed.
    [Theory]
    [InlineData("--epochs", "two", "'--trainer.max-epochs'")]
    [InlineData("--lr", "fast", "'--model.learning-rate'")]
    [InlineData("--limit-train-batches", "1.5", "--trainer.limit-train-batches: give a batch count")]
    [InlineData("--checkpoint-every-n-steps", "0", "--checkpoint-every-n-steps")]
    [InlineData("--frobnicate", "1", "--frobnicate")]
    public void BadFlagsNameTheFlag(string flag, string value, string named)
    {
        var (exitCode, _, errors) = Sample(flag, value, "--print-config");
        Assert.Equal(1, exitCode);
        Assert.Contains(named, errors, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownArchitectureIsNamedBeforeAnyDataIsRead()
    {
        var (exitCode, output, errors) = Sample("--model", "rnn", "--root", root.Path, "--data", Path.Combine(root.Path, "none"));
        Assert.Equal(2, exitCode);
        Assert.Contains("'rnn'", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("Fashion-MNIST from", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortFlagsSetTheGeneratedOptions()
    {
        var (exitCode, output, errors) = Sample(
            "--model", "cnn", "--epochs", "3", "--batch-size", "32", "--lr", "0.002", "--seed", "9", "--data", "/d", "--root", "/r",
            "--limit-train-batches", "7", "--limit-val-batches", "0.5", "--limit-test-batches", "2", "--precision", "bf16-mixed",
            "--devices", "2", "--strategy", "ddp", "--ckpt-path", "last", "--print-config");

        Assert.True(exitCode == 0, errors);
        var config = Config(output);
        Assert.Equal("\"cnn\"", config["model.architecture"]);
        Assert.Equal("3", config["trainer.max-epochs"]);
        Assert.Equal("32", config["data.batch-size"]);
        Assert.Equal("0.002", config["model.learning-rate"]);
        Assert.Equal("9", config["trainer.seed"]);
        Assert.Equal("\"/d\"", config["data.root"]);
        Assert.Equal("\"/r\"", config["trainer.default-root-dir"]);
        Assert.Equal("7", config["trainer.limit-train-batches"]);
        Assert.Equal("0.5", config["trainer.limit-val-batches"]);
        Assert.Equal("2", config["trainer.limit-test-batches"]);
        Assert.Equal("\"bf16-mixed\"", config["trainer.precision"]);
        Assert.Equal("2", config["trainer.devices"]);
        Assert.Equal("\"ddp\"", config["trainer.strategy"]);
        Assert.Equal("\"last\"", config["ckpt-path"]);
    }

    [Fact]
    public void NoArgumentsMeanTheSampleDefaults()
    {
        var (exitCode, output, errors) = Sample("--print-config");

        Assert.True(exitCode == 0, errors);
        var config = Config(output);
        Assert.Equal("\"mlp\"", config["model.architecture"]);
        Assert.Equal("128", config["model.hidden-size"]);
        Assert.Equal("0.001", config["model.learning-rate"]);
        Assert.Equal("5", config["trainer.max-epochs"]);
        Assert.Equal("42", config["trainer.seed"]);
        Assert.Equal("64", config["data.batch-size"]);
        Assert.Equal("1000", config["data.evaluation-batch-size"]);
        Assert.Equal("42", config["data.split-seed"]);
    }

    [Fact]
    public void AnAliasAndItsLongNameGiveTheSameConfigAndTogetherAreAnError()
    {
        var (_, shortForm, _) = Sample("--epochs", "3", "--lr", "0.01", "--print-config");
        var (_, longForm, _) = Sample("--trainer.max-epochs", "3", "--model.learning-rate", "0.01", "--print-config");
        Assert.Equal(longForm, shortForm);
        Assert.Contains("max-epochs: 3", shortForm, StringComparison.Ordinal);

        var (exitCode, _, errors) = Sample("--epochs", "3", "--trainer.max-epochs", "4", "--print-config");
        Assert.Equal(1, exitCode);
        Assert.Contains("Option '--epochs' expects a single argument but 2 were provided", errors, StringComparison.Ordinal);
    }

    private static (int ExitCode, string Output, string Errors) Sample(params string[] args)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var exitCode = SampleCommandLine.Run(args, output, errors);
        return (exitCode, output.ToString(), errors.ToString());
    }

    // The --print-config YAML as "section.key" -> value text.
    private static Dictionary<string, string> Config(string yaml)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? section = null;
        foreach (var line in yaml.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (!line.StartsWith(' '))
            {
                section = value.Length == 0 ? key : null;
                if (section is not null)
                {
                    continue;
                }
            }

            values[section is null ? key : section + "." + key] = value;
        }

        return values;
    }

    public void Dispose() => root.Dispose();
}
