using System;
using System.Diagnostics;
using System.IO;

namespace Volt.Runtime.Tests.Search;

/// <summary>Runs a Python script with Debian's python3 and its python3-optuna (installed by .ci/ensure-search-deps).</summary>
internal static class PythonOptuna
{
    // Debian's interpreter, where apt puts python3-optuna; a python3 earlier on PATH (pyenv) would not have it.
    private const string Interpreter = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/>; returns its standard output, throwing with its error output when it fails.</summary>
    public static string Run(string script, params string[] arguments)
    {
        Assert.True(File.Exists(Interpreter), $"{Interpreter} is missing; .ci/ensure-search-deps installs python3-optuna.");
        var path = Path.Combine(Path.GetTempPath(), "volt-optuna-" + Guid.NewGuid().ToString("N") + ".py");
        File.WriteAllText(path, script);
        try
        {
            var start = new ProcessStartInfo(Interpreter) { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(path);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var errorTask = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            var error = errorTask.Result;
            Assert.True(process.ExitCode == 0, $"python3 failed ({process.ExitCode}):\n{error}");
            return output;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
