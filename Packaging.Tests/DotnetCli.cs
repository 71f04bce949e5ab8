using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace Volt.Packaging.Tests;

/// <summary>Runs the dotnet CLI as a child process, with the test host's MSBuild settings removed from its environment.</summary>
internal static class DotnetCli
{
    // `dotnet test` points these at its own MSBuild; a child build of another project must find its own.
    private static readonly string[] InheritedBuildVariables =
        ["MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "VSTEST_HOST_DEBUG"];

    /// <summary>Runs <c>dotnet</c> with <paramref name="args"/> in <paramref name="workingDirectory"/>; fails the test when it does not exit with 0.</summary>
    public static string Run(string workingDirectory, params string[] args)
    {
        var (exitCode, output) = TryRun(workingDirectory, args);
        Assert.True(exitCode == 0, $"dotnet {string.Join(' ', args)} failed ({exitCode}) in {workingDirectory}:\n{output}");
        return output;
    }

    /// <summary>Runs <c>dotnet</c> and returns its exit code and its standard output and error, interleaved.</summary>
    public static (int ExitCode, string Output) TryRun(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in InheritedBuildVariables)
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";

        var lines = new List<string>();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (lines) { lines.Add(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (lines) { lines.Add(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 15 minutes");
        }

        process.WaitForExit();
        lock (lines)
        {
            return (process.ExitCode, string.Join(Environment.NewLine, lines));
        }
    }

    /// <summary>
    /// Writes a NuGet.config that uses only <paramref name="feed"/> and nuget.org (whatever this machine maps it to),
    /// with Volt's packages mapped to the feed alone: a Volt from anywhere else cannot be restored.
    /// </summary>
    public static void WriteNuGetConfig(string directory, string feed)
    {
        File.WriteAllText(Path.Combine(directory, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="volt-test-feed" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="volt-test-feed">
                  <package pattern="Volt" />
                  <package pattern="Volt.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
    }
}
