using System.Threading.Tasks;
using Volt.Analyzers.Rules;

namespace Volt.Generators.Tests.Analyzers;

using Serve = VoltVerifier<ServingContractAnalyzer, NoFix>;

/// <summary>VOLT0061 at a [Serve] class that cannot get a contract, VOLT0062 at the member, and silence on a servable module.</summary>
public sealed class ServingContractAnalyzerTests
{
    private const string Usings = """
        using TorchSharp;
        using Volt;
        using Volt.Serving;
        using static TorchSharp.torch;

        """;

    [Fact]
    public Task ServeWithoutAPredictStepIsReportedAtTheClass()
        => Serve.VerifyAnalyzerAsync(Usings + """
            namespace App;
            [Serve]
            public sealed partial class {|VOLT0061:M|}() : nn.Module<Tensor, Tensor>("m")
            {
                public override Tensor forward(Tensor input) => input;
            }
            """);

    [Fact]
    public Task AMemberWithoutJsonFormIsReportedAtTheMember()
        => Serve.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public sealed record Batch(Tensor X, float[] {|VOLT0062:W|});
            [Serve]
            [ExampleShape(nameof(Batch.X), 4)]
            public sealed partial class M() : nn.Module<Tensor, Tensor>("m")
            {
                public override Tensor forward(Tensor input) => input;
                [PredictStep] private Tensor Predict(Batch batch) => forward(batch.X);
            }
            """);

    [Fact]
    public Task AServableModuleIsSilent()
        => Serve.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public sealed record Batch(Tensor X, double Scale);
            [Serve]
            [ExampleShape(nameof(Batch.X), 4)]
            public sealed partial class M() : nn.Module<Tensor, Tensor>("m")
            {
                public override Tensor forward(Tensor input) => input;
                [PredictStep] private Tensor Predict(Batch batch) => forward(batch.X) * batch.Scale;
                public IServableModule Servable => this;
            }
            """);
}
