using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;

namespace Volt.Runtime.Tests.Search;

/// <summary>
/// The PostgreSQL server of the shared-study tests: the one .ci/run started (VOLT_TEST_POSTGRES),
/// or, when the tests run on their own, a throwaway cluster from .ci/postgres-cluster that is
/// stopped and deleted afterwards. Either way it listens on 127.0.0.1 only.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private readonly string? ownDirectory;

    public PostgresCluster()
    {
        if (Environment.GetEnvironmentVariable("VOLT_TEST_POSTGRES") is { Length: > 0 } given)
        {
            ConnectionString = given;
            return;
        }

        var lines = Script("start").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        ownDirectory = lines[0].Trim();
        ConnectionString = lines[1].Trim();
    }

    public string ConnectionString { get; }

    public void Dispose()
    {
        if (ownDirectory is not null)
        {
            Script("stop", ownDirectory);
        }
    }

    private static string Script(params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), ".ci", "postgres-cluster"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($".ci/postgres-cluster {string.Join(' ', arguments)} failed ({process.ExitCode}); .ci/ensure-search-deps installs PostgreSQL:\n{error.Result}");
        }

        return output;
    }

    private static string RepositoryRoot([CallerFilePath] string path = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
