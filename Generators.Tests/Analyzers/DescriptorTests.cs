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
    private static readonly DiagnosticAnalyzer[] Analyzers =
    [
        new ModuleStructureAnalyzer(), new MetricNameAnalyzer(), new StepCodeAnalyzer(), new LogCallAnalyzer(), new TrainerCallAnalyzer(), new StepAttributePlacementAnalyzer(),
        new OnnxExportAnalyzer(), new SearchSpaceAnalyzer(), new RankSideEffectAnalyzer(),
    ];

    [Fact]
    public void EveryRuleHasDocsAReleaseEntryAndAHelpLink()
    {
        var repository = RepositoryRoot();
        var docs = File.ReadAllText(Path.Combine(repository, "docs", "diagnostics.md"));
        var releases = File.ReadAllText(Path.Combine(repository, "Analyzers", "AnalyzerReleases.Unshipped.md"));
        var descriptors = Analyzers.SelectMany(a => a.SupportedDiagnostics).ToList();

        Assert.Equal(42, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (var descriptor in descriptors)
        {
            Assert.Matches("^VOLT00[0-9]{2}$", descriptor.Id);
            Assert.Equal("docs/diagnostics.md#" + descriptor.Id.ToLowerInvariant(), descriptor.HelpLinkUri);
            Assert.Contains("## " + descriptor.Id, docs);
            Assert.Contains(descriptor.Id + " | " + descriptor.Category + " | " + descriptor.DefaultSeverity, releases);
            Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString()));
        }

        // The generator reports its own failures.
        Assert.Contains("## " + VoltGenerator.GeneratorFailed.Id, docs);
        Assert.Equal("docs/diagnostics.md#volt0028", VoltGenerator.GeneratorFailed.HelpLinkUri);
    }

    /// <summary>Every kind of structure problem has a diagnostic of its own (issue: unlisted kinds used to fall back to VOLT0009).</summary>
    [Fact]
    public void EveryModuleProblemKindHasItsOwnDiagnostic()
    {
        var kindType = typeof(ModuleStructureAnalyzer).Assembly.GetType("Volt.Generators.Model.ModuleProblemKind", throwOnError: true)!;
        var mapping = typeof(ModuleStructureAnalyzer).GetMethod("DescriptorFor", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var descriptors = Enum.GetValues(kindType).Cast<object>()
            .Select(kind => (Microsoft.CodeAnalysis.DiagnosticDescriptor)mapping.Invoke(null, [kind])!)
            .ToList();
        var ids = descriptors.Select(d => d.Id).ToList();
        Assert.All(descriptors, d => Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString()), d.Id + " has no description"));

        Assert.Equal(Enum.GetValues(kindType).Length, ids.Distinct().Count());
        var supported = new ModuleStructureAnalyzer().SupportedDiagnostics.Select(d => d.Id).ToHashSet();
        Assert.All(ids, id => Assert.Contains(id, supported));
    }

    private static string RepositoryRoot([CallerFilePath] string path = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
