using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Volt.Generators.Parsing;

namespace Volt.Generators.Tests;

/// <summary>[OnnxExport]: the generated export for a translatable forward, and none (with the problem located) otherwise.</summary>
public sealed class OnnxExportGeneratorTests
{
    private const string Exportable = TestSources.Usings + """
        namespace Export;

        [OnnxExport]
        public sealed partial class Encoder : nn.Module<Tensor, Tensor>
        {
            private const double Scale = 0.5;

            private readonly Sequential body = nn.Sequential(nn.Linear(8, 16), nn.GELU(), nn.Dropout(0.1));
            private readonly Sequential head;
            private readonly LayerNorm norm = nn.LayerNorm(16);

            public Encoder() : base("encoder")
            {
                head = nn.Sequential(("project", nn.Linear(16, 4)), ("act", nn.Tanh()));
                RegisterComponents();
            }

            public override Tensor forward(Tensor input)
            {
                using var scope = NewDisposeScope();
                var x = norm.forward(body.forward(input.view(input.size(0), -1)));
                x = x * Scale + functional.relu(x).mean(new long[] { 1 }, keepdim: true);
                return head.forward(x).softmax(-1).MoveToOuterDisposeScope();
            }
        }
        """;

    [Fact]
    public void ExportableModule()
    {
        var output = GeneratorHarness.Run(Exportable);
        output.AssertCompilesCleanly();
        Assert.Equal(["Export.Encoder.OnnxExport.g.cs"], output.Files.Keys);
        Snapshot.Match(output.Files);
    }

    public static TheoryData<string, string, string> Unsupported => new()
    {
        { "private readonly LSTM lstm = nn.LSTM(4, 4); public override Tensor forward(Tensor input) => lstm.forward(input).Item1;", nameof(OnnxExportProblemKind.UnsupportedExpression), "lstm.forward(input).Item1" },
        { "private readonly GRU gru = nn.GRU(4, 4); public override Tensor forward(Tensor input) => gru.forward(input, null).Item1.relu();", nameof(OnnxExportProblemKind.UnsupportedExpression), "gru.forward(input, null).Item1" },
        { "private readonly long dim = 1; public override Tensor forward(Tensor input) => input.softmax(dim);", nameof(OnnxExportProblemKind.UnsupportedExpression), "dim" },
        { "public override Tensor forward(Tensor input) => input.exp();", nameof(OnnxExportProblemKind.UnsupportedExpression), "input.exp()" },
        { "public override Tensor forward(Tensor input) => input.relu_();", nameof(OnnxExportProblemKind.UnsupportedExpression), "input.relu_()" },
        { "public override Tensor forward(Tensor input) => input.softmax(1, ScalarType.Float64);", nameof(OnnxExportProblemKind.UnsupportedExpression), "ScalarType.Float64" },
        { "private readonly Sequential layers = nn.Sequential(nn.Linear(4, 4), nn.LeakyReLU(0.1)); public override Tensor forward(Tensor input) => layers.forward(input);", nameof(OnnxExportProblemKind.UnsupportedExpression), "nn.LeakyReLU(0.1)" },
        { "public override Tensor forward(Tensor input) { if (training) { input = input.relu(); } return input; }", nameof(OnnxExportProblemKind.UnsupportedStatement), "if (training) { input = input.relu(); }" },
    };

    [Theory]
    [MemberData(nameof(Unsupported))]
    public void UnsupportedForwardGetsNoExportMethodAndTheProblemIsAtTheExpression(string members, string kind, string at)
    {
        var source = TestSources.Usings + "namespace Bad;\n[OnnxExport]\npublic sealed partial class M : nn.Module<Tensor, Tensor>\n{\n    public M() : base(\"m\") => RegisterComponents();\n    " + members + "\n}\n";
        var output = GeneratorHarness.Run(source);
        Assert.Empty(output.Files);
        Assert.Empty(output.CompilationProblems());

        var compilation = GeneratorHarness.CreateCompilation(source);
        var type = compilation.GetTypeByMetadataName("Bad.M")!;
        Assert.Null(OnnxExportParser.Parse(compilation, type, out var problems, default));
        var problem = Assert.Single(problems);
        Assert.Equal(kind, problem.Kind.ToString());
        Assert.Equal(at, problem.Location.SourceTree!.GetText().ToString(problem.Location.SourceSpan));
        if (problem.Kind == OnnxExportProblemKind.UnsupportedExpression)
        {
            Assert.Contains("Supported: registered submodules of type Linear", problem.Detail);
        }
    }

    [Theory]
    [InlineData("[OnnxExport] public sealed class M : nn.Module<Tensor, Tensor> { public M() : base(\"m\") { } public override Tensor forward(Tensor input) => input; }", "partial class")]
    [InlineData("[OnnxExport] public sealed partial class M : nn.Module<Tensor, Tensor> { public M() : base(\"m\") { } }", "no forward method")]
    [InlineData("[OnnxExport] public sealed partial class M : nn.Module<Tensor, Tensor> { public M() : base(\"m\") { } public override Tensor forward(Tensor input) => input; public void ExportOnnx() { } }", "declares 'ExportOnnx'")]
    public void ClassThatCannotGetAnExportMethodIsNamed(string declaration, string detail)
    {
        var source = TestSources.Usings + "namespace Bad;\n" + declaration;
        var output = GeneratorHarness.Run(source);
        Assert.Empty(output.Files);

        var compilation = GeneratorHarness.CreateCompilation(source);
        OnnxExportParser.Parse(compilation, compilation.GetTypeByMetadataName("Bad.M")!, out var problems, default);
        Assert.Contains(problems, p => p.Kind == OnnxExportProblemKind.UnsupportedClass && p.Detail.Contains(detail, System.StringComparison.Ordinal));
    }

    [Fact]
    public void EditOutsideForwardKeepsTheModelCachedAndAForwardEditChangesIt()
    {
        var compilation = GeneratorHarness.CreateCompilation(Exportable);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        var tree = compilation.SyntaxTrees.Single();

        var unrelated = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("namespace Other; public static class Helper { public static int Two() => 2; }", (CSharpParseOptions)tree.Options, "Other.cs"));
        var reasons = Reasons(driver.RunGenerators(unrelated));
        Assert.NotEmpty(reasons);
        Assert.All(reasons, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));

        var edited = compilation.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(Exportable.Replace(".softmax(-1)", ".softmax(1)"), (CSharpParseOptions)tree.Options, tree.FilePath));
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(driver.RunGenerators(edited)));
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorDriver driver)
        => driver.GetRunResult().Results.Single().TrackedSteps[TrackingNames.OnnxExportModules]
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason)
            .ToArray();
}
