using System.Linq;
using Volt.Generators.Parsing;

namespace Volt.Generators.Tests;

/// <summary>[Serve]: the generated request/response records and endpoint, and none (with the problem located) otherwise.</summary>
public sealed class ServingContractGeneratorTests
{
    private const string Usings = TestSources.Usings + "using Volt.Serving;\n";

    private const string Served = Usings + """
        namespace Serving;

        public sealed record Features(Tensor Pixels, Tensor Tokens);

        public sealed record Scores(Tensor Logits, Tensor Best);

        [Serve]
        [ExampleShape(nameof(Features.Pixels), 2, 3)]
        [ExampleShape(nameof(Features.Tokens), 5, DType = ScalarType.Int64)]
        public sealed partial class Classifier() : nn.Module<Tensor, Tensor>("classifier")
        {
            private readonly Linear linear = nn.Linear(6, 4);

            public override Tensor forward(Tensor input) => linear.forward(input.flatten(1));

            [PredictStep]
            private Scores Predict(Features batch, int batchIndex)
            {
                var logits = forward(batch.Pixels) + batch.Tokens.sum(1, keepdim: true);
                return new Scores(logits, logits.argmax(1));
            }
        }

        public sealed class Scaled
        {
            public Tensor Inputs { get; set; } = null!;

            public float Scale { get; set; }

            public string Tag { get; set; } = "";
        }

        [Serve]
        [ExampleShape("Inputs", 4)]
        public sealed partial class Scaler() : nn.Module<Tensor, Tensor>("scaler")
        {
            public override Tensor forward(Tensor input) => input;

            [PredictStep]
            private (Tensor Scaled, Tensor Sum) Predict(Scaled batch) => (batch.Inputs * batch.Scale, batch.Inputs.sum(1));
        }

        [Serve]
        [ExampleShape("Inputs", 1, 28, 28)]
        public sealed partial class Plain() : nn.Module<Tensor, Tensor>("plain")
        {
            public override Tensor forward(Tensor input) => input.flatten(1);

            [PredictStep]
            private Tensor Predict(Tensor images) => forward(images);
        }
        """;

    [Fact]
    public void ServedModules()
    {
        var output = GeneratorHarness.Run(Served);
        output.AssertCompilesCleanly();
        var contracts = output.Files.Where(f => f.Key.EndsWith(".Serving.g.cs", System.StringComparison.Ordinal)).ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal(["Serving.Classifier.Serving.g.cs", "Serving.Plain.Serving.g.cs", "Serving.Scaler.Serving.g.cs"], contracts.Keys.Order());
        Snapshot.Match(contracts);
    }

    public static TheoryData<string, string, string> Unserved => new()
    {
        { "[Serve] [ExampleShape(\"Inputs\", 4)] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; }", nameof(ServingContractProblemKind.UnsupportedClass), "no [PredictStep]" },
        { "[Serve] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [PredictStep] Tensor P(Tensor b) => b; }", nameof(ServingContractProblemKind.UnsupportedMember), "has no declared shape; add [ExampleShape(\"Inputs\", ...)]" },
        { "public sealed record B(Tensor X, float[] W); [Serve] [ExampleShape(\"X\", 4)] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [PredictStep] Tensor P(B b) => b.X; }", nameof(ServingContractProblemKind.UnsupportedMember), "'W' of the [PredictStep] batch 'B' is a float[]" },
        { "public sealed record O(Tensor Y, string Name); [Serve] [ExampleShape(\"Inputs\", 4)] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [PredictStep] O P(Tensor b) => new(b, \"n\"); }", nameof(ServingContractProblemKind.UnsupportedMember), "the response holds tensors only" },
        { "[Serve] [ExampleShape(\"Inputs\", 4)] [ExampleShape(\"Images\", 4)] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [PredictStep] Tensor P(Tensor b) => b; }", nameof(ServingContractProblemKind.UnsupportedMember), "[ExampleShape(\"Images\", ...)] names no tensor" },
        { "[Serve] [ExampleShape(\"Inputs\", 4, DType = ScalarType.Float16)] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [PredictStep] Tensor P(Tensor b) => b; }", nameof(ServingContractProblemKind.UnsupportedMember), "DType Float16" },
        { "[Serve] [ExampleShape(\"Inputs\", 0)] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [PredictStep] Tensor P(Tensor b) => b; }", nameof(ServingContractProblemKind.UnsupportedMember), "a dimension below 1" },
        { "[Serve] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [PredictStep] Tensor P((Tensor A, Tensor B) b) => b.A; }", nameof(ServingContractProblemKind.UnsupportedClass), "a tuple has no field names" },
        { "[Serve] [ExampleShape(\"Inputs\", 4)] public sealed partial class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; [PredictStep] Tensor P(Tensor b) => b; public sealed record PredictRequest(int A); }", nameof(ServingContractProblemKind.UnsupportedClass), "declares 'PredictRequest'" },
        { "[Serve] [ExampleShape(\"Inputs\", 4)] public sealed class M() : nn.Module<Tensor, Tensor>(\"m\") { public override Tensor forward(Tensor x) => x; }", nameof(ServingContractProblemKind.UnsupportedClass), "must be a partial class" },
    };

    [Theory]
    [MemberData(nameof(Unserved))]
    public void AModuleThatCannotBeServedGetsNoContractAndTheProblemIsNamed(string declarations, string kind, string detail)
    {
        var source = Usings + "namespace Bad;\n" + declarations + "\n";
        var output = GeneratorHarness.Run(source);
        Assert.DoesNotContain(output.Files.Keys, name => name.EndsWith(".Serving.g.cs", System.StringComparison.Ordinal));

        var compilation = GeneratorHarness.CreateCompilation(source);
        Assert.Null(ServingContractParser.Parse(compilation, compilation.GetTypeByMetadataName("Bad.M")!, out var problems, default));
        Assert.Contains(problems, p => p.Kind.ToString() == kind && p.Detail.Contains(detail, System.StringComparison.Ordinal));
    }
}
