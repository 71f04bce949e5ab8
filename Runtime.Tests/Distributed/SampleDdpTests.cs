using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using FashionMnistSample;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Distributed;

/// <summary>The Fashion-MNIST sample with <c>--devices 2</c>: it relaunches itself under mpirun and learns like one process.</summary>
[Collection("mpirun")]
public sealed class SampleDdpTests : IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void TwoDevicesOfBatch32ReachTheSingleProcessAccuracyOfBatch64WithinOnePoint()
    {
        // 300 steps per epoch either way: one process with batches of 64, or two ranks with 32 each (the same global batches).
        var single = SampleRun.Run(["--epochs", "2", "--limit-train-batches", "300", "--limit-val-batches", "1", "--root", root.Path, "--no-progress"], new StringWriter()).TestMetrics["test_acc"];

        var job = MpiJob.RunDotnet(SamplePath(), "--devices", "2", "--batch-size", "32", "--epochs", "2", "--limit-train-batches", "300", "--limit-val-batches", "1", "--no-progress", "--root", root.Path);
        Assert.True(job.ExitCode == 0, job.Output);
        var text = job.StandardOutput;

        // Only rank 0 prints the results.
        Assert.Single(Regex.Matches(text, "^weights_sha256: [0-9a-f]{64}$", RegexOptions.Multiline));
        var accuracy = double.Parse(Regex.Match(text, @"^test_acc: (0\.\d{4})$", RegexOptions.Multiline).Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(single > 0.8, $"one process reached only {single}");
        Assert.True(Math.Abs(single - accuracy) <= 0.01, $"one process {single:F4}, two devices {accuracy:F4}");
    }

    [Fact]
    public void AnUnknownStrategyIsRefusedBeforeTraining()
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var exitCode = SampleCommandLine.Run(["--strategy", "fsdp", "--root", root.Path, "--no-progress"], output, errors);
        Assert.Equal(2, exitCode);
        Assert.Contains("fsdp", errors.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root.Path, "runs")), "a refused strategy left a run directory");
    }

    public void Dispose() => root.Dispose();

    private static string SamplePath()
    {
        // The sample is a project reference, so its assembly sits next to the tests'.
        var path = typeof(SampleRun).Assembly.Location;
        return File.Exists(path) ? path : throw new FileNotFoundException($"The sample assembly is missing at {path}.");
    }
}
