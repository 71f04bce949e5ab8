using System;
using System.IO;

namespace Volt.Packaging.Tests;

/// <summary>
/// The volt-classifier template instantiated outside the repository: the packed template is installed
/// into a hive of its own (<c>--debug:custom-hive</c>, so the user's installed templates are never
/// touched), <c>dotnet new volt-classifier -o MyModel</c> creates the solution folder, and
/// <c>dotnet build</c> builds it with Volt restored from the feed. Built once; the tests run it.
/// </summary>
public sealed class TemplateProject
{
    /// <summary>The name given to <c>dotnet new</c> (through the output folder): it replaces the template's sourceName.</summary>
    public const string Name = "MyModel";

    public TemplateProject(PackageFeed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var root = Directory.CreateDirectory(Path.Combine(feed.WorkDirectory, "template")).FullName;
        var hive = Path.Combine(root, "hive");
        DotnetCli.WriteNuGetConfig(root, feed.Feed);
        InstallOutput = DotnetCli.Run(root, "new", "install", feed.TemplatePackagePath, "--debug:custom-hive", hive);
        SolutionDirectory = Path.Combine(root, Name);
        DotnetCli.Run(root, "new", "volt-classifier", "--output", SolutionDirectory, "--debug:custom-hive", hive);
        BuildOutput = DotnetCli.Run(SolutionDirectory, "build");
        RunsDirectory = Path.Combine(root, "runs");
    }

    /// <summary>What <c>dotnet new install</c> printed.</summary>
    public string InstallOutput { get; }

    /// <summary>The folder <c>dotnet new</c> created: the solution, the console project and the test project.</summary>
    public string SolutionDirectory { get; }

    /// <summary>What <c>dotnet build</c> of the solution printed.</summary>
    public string BuildOutput { get; }

    /// <summary>Where the tests let the generated command line write its runs.</summary>
    public string RunsDirectory { get; }

    /// <summary>The console project's folder.</summary>
    public string ProjectDirectory => Path.Combine(SolutionDirectory, Name);
}
