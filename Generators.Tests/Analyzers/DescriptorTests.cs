using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Analyzers.Rules;

namespace Volt.Generators.Tests.Analyzers;

/// <summary>Every rule is documented, tracked in the release file and has a working help link.</summary>
public sealed class DescriptorTests
{
    private static readonly DiagnosticAnalyzer[] Analyzers = [new ModuleStructureAnalyzer(), new MetricNameAnalyzer(), new StepCodeAnalyzer(), new OnnxExportAnalyzer(), new SearchSpaceAnalyzer()];

    [Fact]
    public void EveryRuleHasDocsAReleaseEntryAndAHelpLink()
    {
        var repository = RepositoryRoot();
        var docs = File.ReadAllText(Path.Combine(repository, "docs", "diagnostics.md"));
        var releases = File.ReadAllText(Path.Combine(repository, "Analyzers", "AnalyzerReleases.Unshipped.md"));
        var descriptors = Analyzers.SelectMany(a => a.SupportedDiagnostics).ToList();

        Assert.Equal(32, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (var descriptor in descriptors)
        {
            Assert.Matches("^VOLT00[0-9]{2}$", descriptor.Id);
            Assert.Equal("docs/diagnostics.md#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.Contains("## " + descriptor.Id, docs);
            Assert.Contains(descriptor.Id + " | " + descriptor.Category + " | " + descriptor.DefaultSeverity, releases);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString()));
        }
    }

    private static string RepositoryRoot([CallerFilePath] string path = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
