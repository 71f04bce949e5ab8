using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Volt.Generators.Tests;

/// <summary>The generated code carries the attributes tools rely on: coverage and analyzers skip [GeneratedCode], the debugger steps over [DebuggerNonUserCode].</summary>
public sealed class GeneratedCodeHygieneTests
{
    /// <summary>A manual-optimization module with a class batch, so the surface's manual members and an object-initializer transfer are generated too.</summary>
    private const string ManualModule = TestSources.Usings + """
        namespace Samples;

        public sealed class Pair
        {
            public Tensor X { get; set; } = null!;
            public Tensor Y { get; set; } = null!;
        }

        public sealed partial class Manual(int width) : nn.Module<Tensor, Tensor>("manual")
        {
            private readonly Linear layer = nn.Linear(width, 1);

            public override Tensor forward(Tensor input) => layer.forward(input);

            [TrainingStep(AutomaticOptimization = false)]
            void Train(Pair batch, optim.Optimizer optimizer)
            {
                var loss = functional.mse_loss(forward(batch.X), batch.Y);
                ManualBackward(loss);
                ManualStep(optimizer);
            }

            [ConfigureOptimizers]
            optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
        }
        """;

    [Theory]
    [InlineData(TestSources.Classifier, "Samples.Classifier.g.cs")]
    [InlineData(ManualModule, "Samples.Manual.g.cs")]
    public void EveryGeneratedMemberCarriesGeneratedCode(string source, string hintName)
    {
        var output = GeneratorHarness.Run(source);
        output.AssertCompilesCleanly();
        var root = CSharpSyntaxTree.ParseText(output.Files[hintName]).GetRoot();
        var module = root.DescendantNodes().OfType<ClassDeclarationSyntax>().Last(c => c.Parent is not RecordDeclarationSyntax);

        // Every member of the module's generated half, and every member of the types it declares (the Hyperparameters record).
        var members = module.Members
            .Concat(module.Members.OfType<TypeDeclarationSyntax>().SelectMany(t => t.Members))
            .ToList();
        Assert.True(members.Count > 10, $"only {members.Count} members found");
        var unmarked = members.Where(m => !HasAttribute(m, "GeneratedCode")).Select(Describe).ToList();
        Assert.True(unmarked.Count == 0, "Members without [GeneratedCode]:\n" + string.Join("\n", unmarked));
    }

    [Fact]
    public void RegistrationOverridesAreDebuggerNonUserCode()
    {
        var output = GeneratorHarness.Run(TestSources.Classifier);
        var root = CSharpSyntaxTree.ParseText(output.Files["Samples.Classifier.g.cs"]).GetRoot();
        var overrides = root.DescendantNodes().OfType<MethodDeclarationSyntax>().Where(m => m.Modifiers.Any(SyntaxKind.OverrideKeyword)).ToList();

        Assert.Equal(9, overrides.Count); // named_parameters, named_buffers, named_children, named_modules, state_dict, apply, three _to
        Assert.All(overrides, m => Assert.True(HasAttribute(m, "DebuggerNonUserCode"), m.Identifier.Text + " lacks [DebuggerNonUserCode]"));
        Assert.DoesNotContain(root.DescendantNodes().OfType<MethodDeclarationSyntax>(), m => !m.Modifiers.Any(SyntaxKind.OverrideKeyword) && HasAttribute(m, "DebuggerNonUserCode"));
    }

    [Fact]
    public void NoUnusedDisposeScopeVariable()
    {
        var output = GeneratorHarness.Run(TestSources.Classifier);
        var text = output.Files["Samples.Classifier.g.cs"];
        Assert.DoesNotContain("var scope", text);
        Assert.Equal(4, text.Split("using (global::TorchSharp.torch.NewDisposeScope())").Length - 1); // fit, validation, test, predict
    }

    private static bool HasAttribute(MemberDeclarationSyntax member, string name)
        => member.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString().EndsWith(name, System.StringComparison.Ordinal));

    private static string Describe(MemberDeclarationSyntax member)
        => member.ToString().Split('\n').First(line => !line.TrimStart().StartsWith("///", System.StringComparison.Ordinal) && !line.TrimStart().StartsWith("[", System.StringComparison.Ordinal)).Trim();
}
