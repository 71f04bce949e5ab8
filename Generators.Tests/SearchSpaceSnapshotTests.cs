using System.Linq;

namespace Volt.Generators.Tests;

/// <summary>The search-space file the generator writes for [FloatRange], [IntRange] and [Choices].</summary>
public sealed class SearchSpaceSnapshotTests
{
    [Fact]
    public void SearchSpaceOnConstructorParametersAndProperties()
    {
        var output = GeneratorHarness.Run(TestSources.Usings + """
            namespace Tuned;

            public enum Activation { Relu, Tanh, Gelu }

            public sealed partial class Net(
                [FloatRange(1e-5, 1e-1, Log = true)] double learningRate = 1e-3,
                [IntRange(16, 256, Step = 16)] int hiddenSize = 64,
                [Choices("adam", "sgd")] string optimizer = "adam",
                float dropout = 0.1f) : nn.Module<Tensor, Tensor>("net")
            {
                private readonly Linear layer = nn.Linear(4, hiddenSize);

                [Hyperparameter]
                [Choices(Activation.Relu, Activation.Gelu)]
                public Activation Activation { get; init; } = Activation.Relu;

                [Hyperparameter]
                [FloatRange(0.0, 0.5, Step = 0.1)]
                public float Noise { get; init; } = 0.2f;

                public override Tensor forward(Tensor input) => layer.forward(input);

                [TrainingStep]
                private Tensor Step(Tensor batch) => forward(batch).sum();

                [ConfigureOptimizers]
                private optim.Optimizer Optimizers() => optim.SGD(parameters(), learningRate);
            }
            """);
        output.AssertCompilesCleanly();
        Assert.Equal(["Tuned.Net.g.cs", "Tuned.Net.SearchSpace.g.cs"], output.Files.Keys.Order());
        Snapshot.Match(new System.Collections.Generic.Dictionary<string, string> { ["Tuned.Net.SearchSpace.g.cs"] = output.Files["Tuned.Net.SearchSpace.g.cs"] });
    }

    [Fact]
    public void WithoutDefaultsOnlyTheOverloadWithDefaultsIsGenerated()
    {
        var output = GeneratorHarness.Run(TestSources.Usings + """
            namespace Tuned;

            public sealed partial class Net([IntRange(1, 8)] long depth, int width) : nn.Module<Tensor, Tensor>("net")
            {
                public override Tensor forward(Tensor input) => input;

                [TrainingStep]
                private Tensor Step(Tensor batch) => forward(batch).sum();

                [ConfigureOptimizers]
                private optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);
        output.AssertCompilesCleanly();
        var text = output.Files["Tuned.Net.SearchSpace.g.cs"];
        Assert.Contains("SampleHyperparameters(global::Volt.Search.ITrial trial, Hyperparameters defaults)", text);
        Assert.DoesNotContain("SampleHyperparameters(global::Volt.Search.ITrial trial)", text);
        Assert.Contains("Depth = trial.SuggestInt(\"depth\", 1, 8),", text);
    }

    [Fact]
    public void AnInvalidSpaceGetsNoSamplingCodeButTheModuleIsStillGenerated()
    {
        var output = GeneratorHarness.Run(TestSources.Usings + """
            namespace Tuned;

            public sealed partial class Net([FloatRange(1.0, 0.1)] double learningRate = 0.5) : nn.Module<Tensor, Tensor>("net")
            {
                public override Tensor forward(Tensor input) => input;

                [TrainingStep]
                private Tensor Step(Tensor batch) => forward(batch).sum();

                [ConfigureOptimizers]
                private optim.Optimizer Optimizers() => optim.SGD(parameters(), learningRate);
            }
            """);
        Assert.Equal(["Tuned.Net.g.cs"], output.Files.Keys);
    }
}
