using System.IO;
using System.Text.RegularExpressions;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>SIGINT and SIGTERM stop after the current batch with a checkpoint of the exact position, and the run resumes bit-identically.</summary>
public sealed class InterruptTests : System.IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void SigintAndSigtermSaveTheExactPositionAndTheRunResumesBitIdentically()
    {
        string[] common = ["--epochs", "2", "--seed", "5", "--limit-train-batches", "400", "--limit-val-batches", "2", "--limit-test-batches", "2", "--checkpoint-every-n-steps", "50", "--no-progress"];
        var reference = SampleProcess.RunSuccessfully([.. common, "--root", Path.Combine(root.Path, "reference")]);

        var interruptedRoot = Path.Combine(root.Path, "interrupted");
        var runs = Path.Combine(interruptedRoot, "runs", "fashion_mnist_mlp");
        var first = Interrupt([.. common, "--root", interruptedRoot], Path.Combine(runs, "version_0", "checkpoints", "last.ckpt"), 100, "INT", 130);
        var second = Interrupt([.. common, "--root", interruptedRoot, "--ckpt-path", first], Path.Combine(runs, "version_1", "checkpoints", "last.ckpt"), SampleProcess.StepOf(first) + 100, "TERM", 143);
        Assert.True(SampleProcess.StepOf(second) > SampleProcess.StepOf(first));

        var resumed = SampleProcess.RunSuccessfully([.. common, "--root", interruptedRoot, "--ckpt-path", "last"]);
        Assert.Contains("Resuming from " + second, resumed);
        Assert.Equal(SampleProcess.Fingerprint(reference), SampleProcess.Fingerprint(resumed));
    }

    /// <summary>Signals the run once its checkpoint reaches <paramref name="step"/>; returns the checkpoint it names.</summary>
    private static string Interrupt(string[] args, string checkpoint, long step, string signal, int exitCode)
    {
        using var child = SampleProcess.Start(args);
        SampleProcess.WaitForStep(child, checkpoint, step);
        SampleProcess.Signal(child, signal);
        var (code, output, errors) = SampleProcess.Finish(child);
        Assert.True(code == exitCode, $"exit code {code}, expected {exitCode}:\n{output}\n{errors}");
        var text = output + errors;
        Assert.Contains("SIG" + signal, text);
        var named = Regex.Match(text, "--ckpt-path (\\S+)");
        Assert.True(named.Success, "no resume command in:\n" + text);
        Assert.Equal(checkpoint, named.Groups[1].Value);

        Assert.True(SampleProcess.StepOf(checkpoint) >= step);
        return checkpoint;
    }

    public void Dispose() => root.Dispose();
}
