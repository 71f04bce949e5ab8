using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Volt.Generators.Tests;

/// <summary>Unusual but legal names, long names, nullable signatures and invalid modules: the output compiles cleanly.</summary>
public sealed class GeneratorRobustnessTests
{
    /// <summary>Every C# keyword, reserved and contextual, as namespace, class, method, parameter and batch member name.</summary>
    [Fact]
    public void EveryKeywordIsEscapedInGeneratedCode()
    {
        var keywords = SyntaxFacts.GetKeywordKinds().Concat(SyntaxFacts.GetContextualKeywordKinds())
            .Select(SyntaxFacts.GetText)
            .Where(k => k.Length > 0 && SyntaxFacts.IsValidIdentifier(k) && !k.StartsWith("__", System.StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.True(keywords.Count > 100, $"expected the C# keywords, found {keywords.Count}");

        // One module per keyword: the keyword names the namespace, the class, the hyperparameter, the
        // batch member and the step's parameter; the next keyword names the training step method
        // (a member cannot share its class's name).
        var source = new StringBuilder(TestSources.Usings);
        for (var i = 0; i < keywords.Count; i++)
        {
            var keyword = keywords[i];
            var method = keywords[(i + 1) % keywords.Count];

            // 'equals' would become the hyperparameter property 'Equals', which records reserve (VOLT0006).
            var hyperparameter = keyword == "equals" ? string.Empty : $"int @{keyword} = 1";
            source.Append($$"""
                namespace @{{keyword}}
                {
                    public sealed record Batch(Tensor @{{keyword}}, Tensor Y);

                    public partial class @{{keyword}}({{hyperparameter}}) : nn.Module<Tensor, Tensor>("k")
                    {
                        private readonly Linear layer = nn.Linear(4, 1);
                        public override Tensor forward(Tensor input) => layer.forward(input);
                        [TrainingStep] Tensor @{{method}}(Batch @{{keyword}}) => forward(@{{keyword}}.@{{keyword}}).sum();
                        [ValidationStep] void Check(Batch batch) => Log("val", forward(batch.Y).sum());
                        [PredictStep] Batch Predict(Batch batch) => batch;
                        [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
                    }
                }

                """);
        }

        var output = GeneratorHarness.Run(source.ToString());
        Assert.Equal(keywords.Count, output.Files.Count);
        Assert.All(output.Files.Keys, hint => Assert.DoesNotContain("@", hint));
        AssertCleanIgnoringLowercaseTypeNames(output);
    }

    [Fact]
    public void LongNamesGetShortHintNames()
    {
        var longName = "Very" + string.Concat(Enumerable.Repeat("LongNamespacePart", 15));
        var source = TestSources.Usings + $$"""
            namespace {{longName}}.{{longName}};
            public partial class {{longName}}Module() : nn.Module<Tensor, Tensor>("m")
            {
                public override Tensor forward(Tensor input) => input;
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            public partial class {{longName}}Other() : nn.Module<Tensor, Tensor>("o")
            {
                public override Tensor forward(Tensor input) => input;
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """;
        var output = GeneratorHarness.Run(source);
        Assert.Equal(2, output.Files.Count);
        Assert.All(output.Files.Keys, hint => Assert.True(hint.Length <= Parsing.HintNames.MaxLength, $"{hint.Length} characters: {hint}"));
        Assert.Equal(2, output.Files.Keys.Distinct().Count());
        output.AssertCompilesCleanly();
    }

    /// <summary>A module with a structure error still gets Log, Device and the ranks, so only the real error shows.</summary>
    [Fact]
    public void InvalidModuleKeepsItsSurface()
    {
        var source = TestSources.Usings + """
            namespace Broken;
            public partial class NoOptimizer() : nn.Module<Tensor, Tensor>("m")
            {
                public override Tensor forward(Tensor input) => input;
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = batch.sum() + torch.zeros(1, device: Device).sum();
                    if (IsGlobalZero && GlobalRank == 0)
                    {
                        Log("loss", loss);
                    }

                    return loss;
                }

                [ValidationStep] void Check(Tensor batch) => Log("val", batch.sum(), reduce: MetricReduce.Max);
            }

            public partial class Manual() : nn.Module<Tensor, Tensor>("manual")
            {
                public override Tensor forward(Tensor input) => input;
                [TrainingStep(AutomaticOptimization = false)]
                void Step(Tensor batch, optim.Optimizer optimizer, int extra) { ManualBackward(batch.sum()); ManualStep(optimizer); }
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """;
        var output = GeneratorHarness.Run(source);
        Assert.Equal(2, output.Files.Count);
        Assert.All(output.Files.Values, text => Assert.DoesNotContain("RunFit", text));
        output.AssertCompilesCleanly();
    }

    private static void AssertCleanIgnoringLowercaseTypeNames(GeneratorOutput output)
    {
        // CS8981 warns about lower-case type names such as 'class' in user code; it is about the name, not the generated code.
        var problems = output.CompilationProblems().Where(d => d.Id != "CS8981").ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(30).Select(d => d.ToString() + "  >> " + d.Location.SourceTree?.GetText().Lines[d.Location.GetLineSpan().StartLinePosition.Line].ToString().Trim())));
    }
}
