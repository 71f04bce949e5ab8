using System;
using System.IO;

namespace Volt.Packaging.Tests;

/// <summary>
/// A console project created with <c>dotnet new console</c> outside the repository that gets Volt
/// only through <c>dotnet add package Volt --source feed</c>, with the sources under Consumer/
/// (a module, a module with a deliberate mistake, a Program that trains and loads the checkpoint).
/// Built once; the tests read its build output and run it.
/// </summary>
public sealed class ConsumerProject
{
    public ConsumerProject(PackageFeed feed)
    {
        ArgumentNullException.ThrowIfNull(feed);
        var root = Directory.CreateDirectory(Path.Combine(feed.WorkDirectory, "consumer")).FullName;
        DotnetCli.WriteNuGetConfig(root, feed.Feed);
        DotnetCli.Run(root, "new", "console", "--name", "Consumer", "--output", "Consumer");
        ProjectDirectory = Path.Combine(root, "Consumer");
        DotnetCli.Run(ProjectDirectory, "add", "package", "Volt", "--version", feed.Version, "--source", feed.Feed);

        var sources = Path.Combine(AppContext.BaseDirectory, "Consumer");
        foreach (var file in Directory.GetFiles(sources, "*.cs"))
        {
            File.Copy(file, Path.Combine(ProjectDirectory, Path.GetFileName(file)), overwrite: true);
        }

        BuildOutput = DotnetCli.Run(ProjectDirectory, "build", "-c", "Release");
        OutputDirectory = Path.Combine(ProjectDirectory, "bin", "Release", "net10.0");
    }

    /// <summary>The project directory.</summary>
    public string ProjectDirectory { get; }

    /// <summary>What <c>dotnet build</c> printed.</summary>
    public string BuildOutput { get; }

    /// <summary>The build's output folder.</summary>
    public string OutputDirectory { get; }
}
