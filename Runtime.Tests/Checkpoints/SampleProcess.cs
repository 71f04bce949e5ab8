using System;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using Volt.Checkpoints;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>Runs the Fashion-MNIST sample as a child process, for kill, signal and exit-code tests.</summary>
internal static class SampleProcess
{
    public static string Assembly => typeof(FashionMnistSample.SampleRun).Assembly.Location;

    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Assembly);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start)!;
    }

    /// <summary>Runs to the end and returns the exit code, standard output and standard error.</summary>
    public static (int ExitCode, string Output, string Errors) Run(params string[] args)
    {
        using var process = Start(args);
        return Finish(process);
    }

    public static (int ExitCode, string Output, string Errors) Finish(Process process)
    {
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, errors.Result);
    }

    /// <summary>Runs to the end, asserting success, and returns the output.</summary>
    public static string RunSuccessfully(params string[] args)
    {
        var (exitCode, output, errors) = Run(args);
        Assert.True(exitCode == 0, $"the sample failed ({exitCode}):\n{output}\n{errors}");
        return output;
    }

    /// <summary>Waits until the checkpoint at <paramref name="checkpointPath"/> is at least at <paramref name="step"/>.</summary>
    public static void WaitForStep(Process child, string checkpointPath, long step)
    {
        var clock = Stopwatch.StartNew();
        while (!child.HasExited && StepOf(checkpointPath) < step && clock.Elapsed < TimeSpan.FromMinutes(10))
        {
            Thread.Sleep(5);
        }

        Assert.False(child.HasExited, "the training process finished before it could be stopped");
    }

    /// <summary>The global step stored in a checkpoint, or -1 while there is none.</summary>
    public static long StepOf(string checkpointPath)
    {
        if (!File.Exists(checkpointPath))
        {
            return -1;
        }

        try
        {
            using var checkpoint = CheckpointReader.Open(checkpointPath);
            return checkpoint.Root.GetProperty("loop").GetProperty("globalStep").GetInt64();
        }
        catch (IOException)
        {
            return -1;
        }
    }

    public static string Fingerprint(string output)
        => Regex.Match(output, "^weights_sha256: ([0-9a-f]{64})$", RegexOptions.Multiline) is { Success: true } match
            ? match.Groups[1].Value
            : throw new InvalidOperationException("no fingerprint in the sample's output:\n" + output);

    /// <summary>Sends a POSIX signal (for example "INT" or "TERM") to a process.</summary>
    public static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}
