using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace Volt.Generators.Tests;

/// <summary>
/// A small snapshot helper (Verify is not in the package registry). Each generated file is compared
/// with <c>Snapshots/&lt;test&gt;/&lt;hint name&gt;</c>, one file per hint name. A changed, missing or
/// extra snapshot fails the test and writes the new text as <c>*.received</c> beside it.
/// Accepting is an explicit local step: run the tests with <c>VOLT_ACCEPT_SNAPSHOTS=1</c>. It is
/// refused whenever the <c>CI</c> environment variable is set.
/// </summary>
internal static class Snapshot
{
    public const string AcceptVariable = "VOLT_ACCEPT_SNAPSHOTS";

    public static void Match(IReadOnlyDictionary<string, string> files, [CallerMemberName] string testName = "", [CallerFilePath] string callerPath = "")
    {
        var directory = Path.Combine(Path.GetDirectoryName(callerPath)!, "Snapshots", testName);
        var accept = IsAcceptRequested();
        var failures = Compare(directory, files, accept);
        if (failures.Count > 0)
        {
            Assert.Fail(
                $"Snapshots of {testName} do not match:\n  " + string.Join("\n  ", failures)
                + $"\nReview the *.received files in {directory}; to accept them run the tests locally with {AcceptVariable}=1.");
        }
    }

    /// <summary>Compares (or, when accepting, writes) the snapshots; returns one line per mismatch.</summary>
    internal static List<string> Compare(string directory, IReadOnlyDictionary<string, string> files, bool accept)
    {
        var failures = new List<string>();
        Directory.CreateDirectory(directory);
        foreach (var (hintName, text) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var path = Path.Combine(directory, hintName);
            var received = path + ".received";
            var normalized = Normalize(text);
            var expected = File.Exists(path) ? Normalize(File.ReadAllText(path)) : null;
            if (expected == normalized)
            {
                File.Delete(received);
                continue;
            }

            if (accept)
            {
                File.WriteAllText(path, normalized);
                File.Delete(received);
                continue;
            }

            File.WriteAllText(received, normalized);
            failures.Add(expected is null ? $"{hintName}: no snapshot yet" : $"{hintName}: changed ({FirstDifference(expected, normalized)})");
        }

        foreach (var path in Directory.EnumerateFiles(directory).Where(p => !p.EndsWith(".received", StringComparison.Ordinal)))
        {
            var hintName = Path.GetFileName(path);
            if (files.ContainsKey(hintName))
            {
                continue;
            }

            if (accept)
            {
                File.Delete(path);
            }
            else
            {
                failures.Add($"{hintName}: snapshot exists but the generator no longer produces this file");
            }
        }

        return failures;
    }

    /// <summary>True when the accept variable is set and CI is not; accepting on CI throws.</summary>
    internal static bool IsAcceptRequested()
    {
        var requested = Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true";
        if (requested && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            throw new InvalidOperationException($"{AcceptVariable} is set while CI is set; snapshots are never accepted on CI.");
        }

        return requested;
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string FirstDifference(string expected, string actual)
    {
        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        for (var i = 0; i < Math.Max(expectedLines.Length, actualLines.Length); i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : "<end>";
            var a = i < actualLines.Length ? actualLines[i] : "<end>";
            if (e != a)
            {
                return $"line {i + 1}: expected `{e.Trim()}`, got `{a.Trim()}`";
            }
        }

        return "line endings";
    }
}
