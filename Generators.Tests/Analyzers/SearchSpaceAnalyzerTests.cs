using System.Threading.Tasks;
using Volt.Analyzers.Rules;

namespace Volt.Generators.Tests.Analyzers;

using Search = VoltVerifier<SearchSpaceAnalyzer, NoFix>;

/// <summary>VOLT0045–VOLT0052: declared search spaces that do not fit their hyperparameter, and silence on good ones.</summary>
public sealed class SearchSpaceAnalyzerTests
{
    private const string Usings = """
        using TorchSharp;
        using Volt;
        using static TorchSharp.torch;

        namespace App;

        public enum Activation { Relu, Tanh }

        """;

    private const string Body = """
        {
            public override Tensor forward(Tensor input) => input;
            [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
            [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
        }

        """;

    [Fact]
    public Task GoodSpacesAreSilent()
        => Search.VerifyAnalyzerAsync(Usings + """
            public partial class M(
                [FloatRange(1e-5, 1e-1, Log = true)] double lr = 1e-3,
                [IntRange(16, 256, Step = 16)] int hidden = 64,
                [Choices("mlp", "cnn")] string architecture = "mlp",
                [Choices(Activation.Relu, Activation.Tanh)] Activation activation = Activation.Tanh,
                [Choices(0.1, 0.2, 1)] double dropout = 1,
                [FloatRange(0, 1, Step = 0.25)] float momentum = 0.5f) : nn.Module<Tensor, Tensor>("m")
            """ + Body);

    [Fact]
    public Task SpacesOfTheWrongTypeAreReported()
        => Search.VerifyAnalyzerAsync(Usings + """
            public partial class M(
                [{|VOLT0045:FloatRange(0.0, 1.0)|}] int a = 0,
                [{|VOLT0045:IntRange(1, 4)|}] double b = 1,
                [{|VOLT0045:Choices("x", 2)|}] string c = "x",
                [{|VOLT0045:IntRange(0, 1000)|}] byte d = 0,
                [{|VOLT0045:Choices(1, 2)|}] Activation e = Activation.Relu,
                [{|VOLT0045:Choices(1.5, 2)|}] int f = 2) : nn.Module<Tensor, Tensor>("m")
            """ + Body);

    [Fact]
    public Task EmptyRangesAreReported()
        => Search.VerifyAnalyzerAsync(Usings + """
            public partial class M(
                [{|VOLT0046:FloatRange(1.0, 0.1)|}] double a = 0.5,
                [{|VOLT0046:IntRange(8, 2)|}] int b = 4,
                [{|VOLT0046:IntRange(2, 8, Step = 0)|}] int c = 4,
                [{|VOLT0046:FloatRange(0, 1, Step = -0.5)|}] double d = 0) : nn.Module<Tensor, Tensor>("m")
            """ + Body);

    [Fact]
    public Task LogScaleNeedsAPositiveLowAndNoStep()
        => Search.VerifyAnalyzerAsync(Usings + """
            public partial class M(
                [{|VOLT0047:FloatRange(0.0, 1.0, Log = true)|}] double a = 0.5,
                [{|VOLT0047:IntRange(0, 8, Log = true)|}] int b = 4,
                [{|VOLT0048:FloatRange(0.1, 1.0, Log = true, Step = 0.1)|}] double c = 0.5,
                [{|VOLT0048:IntRange(1, 9, Step = 2, Log = true)|}] int d = 3) : nn.Module<Tensor, Tensor>("m")
            """ + Body);

    [Fact]
    public Task DefaultsOutsideTheSpaceAreReported()
        => Search.VerifyAnalyzerAsync(Usings + """
            public partial class M(
                [{|VOLT0049:FloatRange(1e-5, 1e-1, Log = true)|}] double lr = 0.5,
                [{|VOLT0049:IntRange(16, 256)|}] int hidden = 8,
                [{|VOLT0049:Choices("mlp", "cnn")|}] string architecture = "rnn") : nn.Module<Tensor, Tensor>("m")
            {
                [Hyperparameter]
                [{|VOLT0049:Choices(Activation.Relu)|}]
                public Activation Activation { get; init; } = Activation.Tanh;

                public override Tensor forward(Tensor input) => input;
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task SpacesOffHyperparametersTwoSpacesAndBadChoicesAreReported()
        => Search.VerifyAnalyzerAsync(Usings + """
            public partial class M(
                [Hyperparameter] double lr,
                [{|VOLT0050:IntRange(1, 4)|}] int notKept,
                [Hyperparameter, {|VOLT0051:FloatRange(0, 1)|}, Choices(0.5)] double both,
                [Hyperparameter, {|VOLT0052:Choices("a", "a")|}] string repeated,
                [Hyperparameter, {|VOLT0052:Choices|}] string none) : nn.Module<Tensor, Tensor>("m")
            {
                [{|VOLT0050:FloatRange(0, 1)|}]
                public double NotMarked { get; set; }

                public override Tensor forward(Tensor input) => input;
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), lr);
            }
            """);
}
