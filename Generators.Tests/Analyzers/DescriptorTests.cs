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
        new OnnxExportAnalyzer(), new SearchSpaceAnalyzer(), new ServingContractAnalyzer(), new RankSideEffectAnalyzer(),
    ];

    [Fact]
    public void EveryRuleHasDocsAReleaseEntryAndAHelpLink()
    {
        var repository = RepositoryRoot();
        var docs = File.ReadAllText(Path.Combine(repository, "docs", "diagnostics.md"));
        var releases = File.ReadAllText(Path.Combine(repository, "Analyzers", "AnalyzerReleases.Unshipped.md"));
        var descriptors = Analyzers.SelectMany(a => a.SupportedDiagnostics).ToList();

        Assert.Equal(45, descriptors.Select(d => d.Id).Distinct().Count());
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

        // Message formats name their parts: words around the placeholders, not a bare "{0}".
        Assert.All(new ModuleStructureAnalyzer().SupportedDiagnostics, d =>
        {
            var words = System.Text.RegularExpressions.Regex.Replace(d.MessageFormat.ToString(), @"\{[0-9]+\}", " ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(words.Length >= 4, $"{d.Id}'s message format '{d.MessageFormat}' does not say what is wrong around its arguments");
            Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString()), d.Id + " has no description");
        });
    }

    /// <summary>One invalid module per problem kind, and the names its diagnostic's message must contain (quoted).</summary>
    public static TheoryData<string, string, string[]> ProblemCases => new()
    {
        { "NotAClass", "public partial record struct M { [TrainingStep] Tensor T(Tensor b) => b.sum(); }", ["M"] },
        { "NotPartial", "public static class Outer { public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); } }", ["M", "Outer"] },
        { "NotAModule", "public partial class M { [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => null!; }", ["M"] },
        { "UnsupportedClassShape", "public abstract partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", ["M"] },
        { "DuplicateStepAttribute", "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [TrainingStep] Tensor U(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", ["T", "U"] },
        { "UnsupportedStepSignature", "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] void T(Tensor b) { } [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", ["T"] },
        { "MissingConfigureOptimizers", "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); }", ["M"] },
        { "UnsupportedConfigureOptimizers", "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] int O() => 1; }", ["O", "int"] },
        { "UnsupportedBatchType", "public sealed class B { public Tensor X { get; } = null!; }\npublic partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(B b) => b.X.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", ["B", "T", "X"] },
        { "UnsupportedHyperparameter", "public partial class M([Hyperparameter] System.Collections.Generic.List<int> sizes) : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", ["sizes", "M"] },
        { "NameConflict", "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; public int Device => 1; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", ["M", "Device"] },
        { "MonitorWithoutMetric", "[Monitor(\" \")] public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", ["M"] },
        { "DerivesFromVoltModule", "public partial class Base() : nn.Module<Tensor, Tensor>(\"b\") { public override Tensor forward(Tensor x) => x; [TrainingStep] protected virtual Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }\npublic partial class M : Base { [ValidationStep] void V(Tensor b) { } }", ["M", "Base", "V"] },
    };

    /// <summary>A new problem kind needs a case above (and so a message that names its culprit).</summary>
    [Fact]
    public void EveryModuleProblemKindHasAMessageCase()
    {
        var kindType = typeof(ModuleStructureAnalyzer).Assembly.GetType("Volt.Generators.Model.ModuleProblemKind", throwOnError: true)!;
        var cases = ProblemCases.Select(row => (string)row[0]).ToList();
        Assert.Equal(Enum.GetNames(kindType).OrderBy(n => n, StringComparer.Ordinal), cases.OrderBy(n => n, StringComparer.Ordinal));
    }

    /// <summary>Each problem kind's diagnostic says which type or member is wrong, by name.</summary>
    [Theory]
    [MemberData(nameof(ProblemCases))]
    public async System.Threading.Tasks.Task EveryProblemKindsMessageNamesTheCulprit(string kind, string declaration, string[] culprits)
    {
        var kindType = typeof(ModuleStructureAnalyzer).Assembly.GetType("Volt.Generators.Model.ModuleProblemKind", throwOnError: true)!;
        var mapping = typeof(ModuleStructureAnalyzer).GetMethod("DescriptorFor", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var descriptor = (Microsoft.CodeAnalysis.DiagnosticDescriptor)mapping.Invoke(null, [Enum.Parse(kindType, kind)])!;

        var output = GeneratorHarness.Run(TestSources.Usings + "namespace Bad;\n" + declaration);
        var diagnostics = await output.Compilation
            .WithAnalyzers([new ModuleStructureAnalyzer()])
            .GetAnalyzerDiagnosticsAsync();
        var messages = diagnostics.Where(d => d.Id == descriptor.Id).Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        Assert.NotEmpty(messages);
        Assert.All(messages, message => Assert.DoesNotMatch(@"\{[0-9]+\}", message)); // every part filled in
        Assert.Contains(messages, message => culprits.All(culprit => message.Contains("'" + culprit + "'", StringComparison.Ordinal)));
    }

    private static string RepositoryRoot([CallerFilePath] string path = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}
