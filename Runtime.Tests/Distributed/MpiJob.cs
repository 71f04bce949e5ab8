using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;

namespace Volt.Runtime.Tests.Distributed;

/// <summary>Runs Runtime.Tests.DdpWorker under <c>mpirun -np N</c> (or alone) and collects what it printed.</summary>
internal static class MpiJob
{
    /// <summary>Longer than any test job takes; a job past it is killed and the test fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed, DateTime EndedUtc)
    {
        /// <summary>Both streams.</summary>
        public string Output => StandardOutput + StandardError;
    }

    /// <summary>Runs the worker with <paramref name="ranks"/> processes under mpirun, or directly when <paramref name="ranks"/> is 0.</summary>
    public static Result Run(int ranks, params string[] arguments)
    {
        var start = new ProcessStartInfo(ranks == 0 ? "dotnet" : "mpirun")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (ranks > 0)
        {
            // Root needs Open MPI's explicit opt-in; two ranks on a small machine need oversubscription and no core binding.
            foreach (var option in new[] { "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "dotnet" })
            {
                start.ArgumentList.Add(option);
            }
        }

        start.ArgumentList.Add(WorkerPath());
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Execute(start, string.Join(' ', arguments));
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> (a program that may relaunch itself under mpirun).</summary>
    public static Result RunDotnet(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Execute(start, string.Join(' ', arguments));
    }

    private static Result Execute(ProcessStartInfo start, string description)
    {
        // A process started by a test must not think the test host launched it.
        start.Environment.Remove("VOLT_DDP_LAUNCHED");
        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The job ({description}) did not end within {Timeout}.");
        }

        Task.WaitAll(output, error);
        return new Result(process.ExitCode, output.Result, error.Result, watch.Elapsed, DateTime.UtcNow);
    }

    /// <summary>Reads the float32 weights a fit job's rank wrote.</summary>
    public static float[] Weights(string file)
    {
        var bytes = File.ReadAllBytes(file);
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }

    private static string WorkerPath()
    {
        // Runtime.Tests/bin/<configuration>/net10.0/<rid>/ → Runtime.Tests.DdpWorker/bin/<configuration>/net10.0/<rid>/
        var configuration = typeof(MpiJob).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var repository = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var output = Path.Combine(repository, "Runtime.Tests.DdpWorker", "bin", configuration, "net10.0");
        var candidates = new[] { output }.Concat(Directory.Exists(output) ? Directory.GetDirectories(output) : []).Select(d => Path.Combine(d, "Volt.Runtime.Tests.DdpWorker.dll"));
        return candidates.FirstOrDefault(File.Exists) ?? throw new FileNotFoundException($"The DDP worker is not built under {output}; build Runtime.Tests (it references Runtime.Tests.DdpWorker).");
    }
}
