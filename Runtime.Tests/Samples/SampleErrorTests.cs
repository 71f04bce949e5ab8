using System.IO;
using Volt.Runtime.Tests.Checkpoints;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Samples;

/// <summary>The sample reports resume, I/O and data errors as a message and a non-zero exit, without a stack trace.</summary>
public sealed class SampleErrorTests : System.IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void AResumeErrorPrintsItsMessageAndTheStackTraceOnlyWhenVerbose()
    {
        var missing = Path.Combine(root.Path, "missing.ckpt");
        string[] args = ["--epochs", "1", "--limit-train-batches", "1", "--root", root.Path, "--no-progress", "--ckpt-path", missing];
        var (exitCode, _, errors) = SampleProcess.Run(args);
        Assert.Equal(1, exitCode);
        Assert.Contains(missing, errors);
        Assert.Contains("does not exist", errors);
        Assert.DoesNotContain("   at ", errors);

        var (verboseExit, _, verboseErrors) = SampleProcess.Run([.. args, "--verbose"]);
        Assert.Equal(1, verboseExit);
        Assert.Contains("   at ", verboseErrors);
    }

    [Fact]
    public void AnExplicitDataDirectoryIsNeverReplaced()
    {
        var missing = Path.Combine(root.Path, "no-data");
        var (exitCode, output, errors) = SampleProcess.Run("--data", missing, "--epochs", "1", "--root", root.Path, "--no-progress");
        Assert.Equal(1, exitCode);
        Assert.Contains(missing, errors);
        Assert.DoesNotContain("Fashion-MNIST from", output);
    }

    public void Dispose() => root.Dispose();
}
