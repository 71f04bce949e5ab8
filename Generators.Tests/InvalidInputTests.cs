using System.Linq;
using Microsoft.CodeAnalysis;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Generators.Tests;

/// <summary>
/// Invalid classes get no training loop and no crash, only the module surface (Log, Device, ...) so
/// that their Log calls still bind; the parser names the problem for the analyzers.
/// </summary>
public sealed class InvalidInputTests
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "public class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.NotPartial), "M" },
        { "public static class Outer { public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); } }", nameof(ModuleProblemKind.NotPartial), "Outer" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] void T(Tensor b) { } [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedStepSignature), "T" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b, string s) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedStepSignature), "T" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] async System.Threading.Tasks.Task<Tensor> T(Tensor b) { await System.Threading.Tasks.Task.Yield(); return b; } [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedStepSignature), "T" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); }", nameof(ModuleProblemKind.MissingConfigureOptimizers), "M" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [TrainingStep] Tensor U(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.DuplicateStepAttribute), "U" },
        { "public partial class M { [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => null!; }", nameof(ModuleProblemKind.NotAModule), "M" },
        { "public sealed class B { public Tensor X { get; } = null!; }\npublic partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(B b) => b.X.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedBatchType), "B" },
        { "public partial class M([Hyperparameter] System.Collections.Generic.List<int> sizes) : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedHyperparameter), "sizes" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] (optim.Optimizer, optim.Optimizer) O() => (optim.SGD(parameters(), 0.1), optim.SGD(parameters(), 0.1)); }", nameof(ModuleProblemKind.UnsupportedConfigureOptimizers), "O" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep(AutomaticOptimization = false)] void T(Tensor b, optim.Optimizer o) { } [ConfigureOptimizers] (optim.Optimizer, optim.Optimizer) O() => (optim.SGD(parameters(), 0.1), optim.SGD(parameters(), 0.1)); }", nameof(ModuleProblemKind.UnsupportedStepSignature), "T" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] int O() => 1; }", nameof(ModuleProblemKind.UnsupportedConfigureOptimizers), "O" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; public int Device => 1; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.NameConflict), "Device" },
        { "public class Base() : nn.Module<Tensor, Tensor>(\"b\") { public override Tensor forward(Tensor x) => x; public void Log(string text) { } }\npublic partial class M() : Base { [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.NameConflict), "M" },
        { "public partial class Base() : nn.Module<Tensor, Tensor>(\"b\") { public override Tensor forward(Tensor x) => x; [TrainingStep] protected virtual Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }\npublic partial class M : Base { [ValidationStep] void V(Tensor b) { } }", nameof(ModuleProblemKind.DerivesFromVoltModule), "M" },
        { "[Monitor(\" \")] public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.MonitorWithoutMetric), "Monitor" },
        { "public partial record struct M { [TrainingStep] Tensor T(Tensor b) => b.sum(); }", nameof(ModuleProblemKind.NotAClass), "M" },
        { "public sealed record Inner(Tensor X);\npublic sealed record B(Inner Inner, Tensor Y);\npublic partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(B b) => b.Y.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedBatchType), "B" },
        { "public partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(((Tensor A, Tensor B) Pair, Tensor C) b) => b.C.sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedBatchType), "((Tensor A, Tensor B) Pair, Tensor C)" },
        { "public sealed record B(System.Collections.Generic.IEnumerable<Tensor> Xs);\npublic partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(B b) => torch.ones(1).sum(); [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedBatchType), "B" },
        { "public partial class M([Hyperparameter] int[][] sizes) : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [TrainingStep] Tensor T(Tensor b) => b.sum() * sizes.Length; [ConfigureOptimizers] optim.Optimizer O() => optim.SGD(parameters(), 0.1); }", nameof(ModuleProblemKind.UnsupportedHyperparameter), "sizes" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratorEmitsNothingAndParserNamesTheProblem(string declaration, string expected, string subject)
    {
        var source = TestSources.Usings + "namespace Bad;\n" + declaration;
        var output = GeneratorHarness.Run(source);
        Assert.All(output.Files.Where(f => f.Key == "Bad.M.g.cs").Select(f => f.Value), text => Assert.DoesNotContain("IVoltModule", text));
        Assert.DoesNotContain(output.Compilation.GetDiagnostics(), d => d.Id == "CS0103");

        var compilation = GeneratorHarness.CreateCompilation(source);
        var moduleType = compilation.GetSymbolsWithName(n => n == "M", SymbolFilter.Type).OfType<INamedTypeSymbol>().Single();
        var model = ModuleParser.Parse(compilation, moduleType, out var problems, default);
        Assert.Null(model);
        Assert.Contains(problems, p => p.Kind.ToString() == expected && p.Subject == subject);
        Assert.All(problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Detail)));
    }

    [Fact]
    public void ValidModuleHasNoProblems()
    {
        var compilation = GeneratorHarness.CreateCompilation(TestSources.Classifier);
        var moduleType = compilation.GetTypeByMetadataName("Samples.Classifier")!;
        var model = ModuleParser.Parse(compilation, moduleType, out var problems, default);
        Assert.Empty(problems);
        Assert.NotNull(model);
        Assert.Equal("Samples.Classifier.g.cs", model!.Hierarchy.HintName);
    }
}
