using System;
using System.Collections.Generic;
using System.IO;

namespace Volt.Generators.Tests;

/// <summary>The snapshot helper itself: it must fail on every kind of mismatch.</summary>
public sealed class SnapshotHelperTests : IDisposable
{
    private readonly string directory = Path.Combine(Path.GetTempPath(), "volt-snapshots-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public void MissingSnapshotFailsAndWritesReceived()
    {
        var failures = Snapshot.Compare(directory, new Dictionary<string, string> { ["A.g.cs"] = "text" }, accept: false);
        Assert.Equal(["A.g.cs: no snapshot yet"], failures);
        Assert.Equal("text", File.ReadAllText(Path.Combine(directory, "A.g.cs.received")));
    }

    [Fact]
    public void ChangedSnapshotFailsAndNamesTheLine()
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "A.g.cs"), "one\ntwo\n");
        var failures = Snapshot.Compare(directory, new Dictionary<string, string> { ["A.g.cs"] = "one\nthree\n" }, accept: false);
        var failure = Assert.Single(failures);
        Assert.Contains("line 2", failure);
    }

    [Fact]
    public void SnapshotWithoutGeneratedFileFails()
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "Old.g.cs"), "x");
        var failures = Snapshot.Compare(directory, new Dictionary<string, string>(), accept: false);
        Assert.Contains("Old.g.cs", Assert.Single(failures));
    }

    [Fact]
    public void MatchingSnapshotPassesAndAcceptWritesFiles()
    {
        var files = new Dictionary<string, string> { ["A.g.cs"] = "text\r\n" };
        Assert.Empty(Snapshot.Compare(directory, files, accept: true));
        Assert.Empty(Snapshot.Compare(directory, files, accept: false));
        Assert.False(File.Exists(Path.Combine(directory, "A.g.cs.received")));
    }

    public void Dispose()
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
