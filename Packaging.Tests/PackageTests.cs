using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;
using System.Xml.Linq;

namespace Volt.Packaging.Tests;

/// <summary>The Volt package: its contents, and a project outside the repository that uses only the package.</summary>
[Collection(PackageFeedCollection.Name)]
public sealed class PackageTests(PackageFeed feed)
{
    private static readonly string[] ExpectedEntries =
    [
        "Volt.nuspec",
        "README.md",
        "lib/net10.0/Volt.dll",
        "lib/net10.0/Volt.xml",
        "analyzers/dotnet/cs/Volt.Generators.dll",
        "analyzers/dotnet/cs/Volt.Analyzers.dll",
        "analyzers/dotnet/cs/Volt.Analyzers.CodeFixes.dll",
        "buildTransitive/Volt.props",
        "buildTransitive/Volt.targets",
        "buildTransitive/Volt.LibTorchSharpFix.targets",
    ];

    // One consumer build for every test of this class (xunit creates the class once per test).
    private static readonly object ConsumerLock = new();
    private static ConsumerProject? consumer;

    private ConsumerProject Consumer
    {
        get
        {
            lock (ConsumerLock)
            {
                return consumer ??= new ConsumerProject(feed);
            }
        }
    }

    [Fact]
    public void PackageHoldsEveryExpectedPath()
    {
        var entries = feed.PackageEntries();
        var missing = ExpectedEntries.Where(e => !entries.Contains(e)).ToArray();
        Assert.True(missing.Length == 0, $"missing from the package: {string.Join(", ", missing)}\nit holds: {string.Join(", ", entries)}");
        Assert.True(File.Exists(Path.ChangeExtension(feed.PackagePath, ".snupkg")), "no symbol package (.snupkg) next to the package");
        using var symbols = ZipFile.OpenRead(Path.ChangeExtension(feed.PackagePath, ".snupkg"));
        Assert.Contains(symbols.Entries, e => e.FullName == "lib/net10.0/Volt.pdb");
    }

    [Fact]
    public void NuspecCarriesLicenseReadmeRepositoryAndTheCpuNatives()
    {
        using var zip = ZipFile.OpenRead(feed.PackagePath);
        using var stream = zip.GetEntry("Volt.nuspec")!.Open();
        var nuspec = XDocument.Load(stream);
        XNamespace ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata")!;

        Assert.Equal("MIT", metadata.Element(ns + "license")?.Value);
        Assert.Equal("expression", metadata.Element(ns + "license")?.Attribute("type")?.Value);
        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
        Assert.Equal("git", metadata.Element(ns + "repository")?.Attribute("type")?.Value);
        Assert.Matches("^[0-9a-f]{40}$", metadata.Element(ns + "repository")?.Attribute("commit")?.Value ?? "");
        var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).ToArray();
        Assert.Contains("TorchSharp-cpu", dependencies);
        Assert.DoesNotContain(dependencies, d => d.StartsWith("TorchSharp-cuda", StringComparison.Ordinal));
    }

    [Fact]
    public void ConsumerBuildReportsTheDeliberateMistake()
    {
        Assert.Matches(@"Mistake\.cs\(\d+,\d+\): warning VOLT0014", Consumer.BuildOutput);
    }

    [Fact]
    public void ConsumerGetsOnlyThisPlatformsTorchNatives()
    {
        var natives = Path.Combine(Consumer.OutputDirectory, "runtimes");
        var torch = Directory.GetFiles(natives, "*torch_cpu*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(natives, f).Replace('\\', '/'))
            .ToArray();
        Assert.NotEmpty(torch);
        Assert.All(torch, path => Assert.StartsWith(RuntimeInformation.RuntimeIdentifier + "/", path));
    }

    [Fact]
    public void ConsumerTrainsAndLoadsItsCheckpoint()
    {
        var runs = Path.Combine(feed.WorkDirectory, "consumer-runs");
        var output = DotnetCli.Run(Consumer.ProjectDirectory, "run", "-c", "Release", "--no-build", "--", runs);
        Assert.Contains("global_step: 6", output);
        Assert.Matches(@"restored: .*last\.ckpt", output);
        Assert.DoesNotContain("TypeInitializationException", output);
    }

    [Fact]
    public void CudaBackendWithoutTheCudaPackageNamesThePackageToAdd()
    {
        var (exitCode, output) = DotnetCli.TryRun(Consumer.ProjectDirectory, "build", "-c", "Release", "--no-restore", "-p:VoltTorchBackend=cuda");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("VoltTorchBackend=cuda needs the CUDA native package", output);
        Assert.Contains("TorchSharp-cuda-linux", output);
    }
}
