using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection;

namespace Volt.Packaging.Tests;

/// <summary>
/// Packs Volt and the Volt.Templates template package once per test run into a folder feed under a
/// temporary directory, with a version of their own (so the NuGet cache never serves an older package
/// of the same version), and removes the feed, the consumer projects, the template's hive and Volt's cache folder of that version afterwards.
/// </summary>
public sealed class PackageFeed : IDisposable
{
    public PackageFeed()
    {
        RepositoryRoot = Metadata("VoltRepositoryRoot");
        var configuration = Metadata("VoltConfiguration");
        Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        WorkDirectory = Directory.CreateTempSubdirectory("volt-packaging-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(WorkDirectory, "feed")).FullName;

        DotnetCli.Run(
            RepositoryRoot,
            "pack", Path.Combine(RepositoryRoot, "Runtime", "Volt.csproj"),
            "-c", configuration, "--no-build", "-o", Feed, $"-p:Version={Version}");
        PackagePath = Path.Combine(Feed, $"Volt.{Version}.nupkg");
        Assert.True(File.Exists(PackagePath), $"dotnet pack did not write {PackagePath}");

        // The template package has nothing to compile, so packing it builds next to nothing.
        DotnetCli.Run(
            RepositoryRoot,
            "pack", Path.Combine(RepositoryRoot, "Templates", "Volt.Templates.csproj"),
            "-c", configuration, "-o", Feed, $"-p:Version={Version}");
        TemplatePackagePath = Path.Combine(Feed, $"Volt.Templates.{Version}.nupkg");
        Assert.True(File.Exists(TemplatePackagePath), $"dotnet pack did not write {TemplatePackagePath}");
    }

    /// <summary>The repository this test assembly was built from.</summary>
    public string RepositoryRoot { get; }

    /// <summary>The version the package was packed with.</summary>
    public string Version { get; }

    /// <summary>A temporary directory outside the repository that holds the feed and the consumer projects.</summary>
    public string WorkDirectory { get; }

    /// <summary>The folder feed.</summary>
    public string Feed { get; }

    /// <summary>The packed Volt package.</summary>
    public string PackagePath { get; }

    /// <summary>The packed template package (Volt.Templates, same version).</summary>
    public string TemplatePackagePath { get; }

    /// <summary>The paths inside the package, with forward slashes.</summary>
    public string[] PackageEntries() => Entries(PackagePath);

    /// <summary>The paths inside the template package, with forward slashes.</summary>
    public string[] TemplatePackageEntries() => Entries(TemplatePackagePath);

    public void Dispose()
    {
        TryDeleteDirectory(WorkDirectory);
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        TryDeleteDirectory(Path.Combine(packages, "volt", Version.ToLowerInvariant()));
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // A leftover temporary folder is harmless; the next run uses a new name.
        }
    }

    private static string[] Entries(string package)
    {
        using var zip = ZipFile.OpenRead(package);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    private static string Metadata(string key)
        => typeof(PackageFeed).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
            ?? throw new InvalidOperationException($"the assembly metadata {key} is empty");
}
