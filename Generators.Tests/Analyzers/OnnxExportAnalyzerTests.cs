using System.Threading.Tasks;
using Volt.Analyzers.Rules;

namespace Volt.Generators.Tests.Analyzers;

using Export = VoltVerifier<OnnxExportAnalyzer, NoFix>;

/// <summary>VOLT0055–VOLT0057 at the code that stops the export, and silence on an exportable module.</summary>
public sealed class OnnxExportAnalyzerTests
{
    private const string Usings = """
        using TorchSharp;
        using TorchSharp.Modules;
        using Volt;
        using static TorchSharp.torch;

        """;

    [Fact]
    public Task UnsupportedExpressionAndStatementAreReportedWhereTheyAre()
        => Export.VerifyAnalyzerAsync(Usings + """
            namespace App;
            [OnnxExport]
            public sealed partial class M : nn.Module<Tensor, Tensor>
            {
                private readonly Linear layer = nn.Linear(4, 4);
                private readonly Sequential layers = nn.Sequential(nn.Linear(4, 4), {|VOLT0055:nn.LeakyReLU(0.1)|});
                public M() : base("m") => RegisterComponents();
                public override Tensor forward(Tensor input)
                {
                    var x = layer.forward({|VOLT0055:input.exp()|});
                    {|VOLT0056:if (training) { x = x.relu(); }|}
                    return layers.forward(x);
                }
            }
            """);

    [Fact]
    public Task ClassWithoutPartialIsReported()
        => Export.VerifyAnalyzerAsync(Usings + """
            namespace App;
            [OnnxExport]
            public sealed class {|VOLT0057:M|} : nn.Module<Tensor, Tensor>
            {
                public M() : base("m") { }
                public override Tensor forward(Tensor input) => input.relu();
            }
            """);

    [Fact]
    public Task ExportableModuleAndModulesWithoutTheAttributeAreSilent()
        => Export.VerifyAnalyzerAsync(Usings + """
            namespace App;
            [OnnxExport]
            public sealed partial class Exportable : nn.Module<Tensor, Tensor>
            {
                private readonly Linear layer = nn.Linear(4, 2);
                public Exportable() : base("e") => RegisterComponents();
                public override Tensor forward(Tensor input) => nn.functional.relu(layer.forward(input.flatten(1)));
                public void Use(string path) => ExportOnnx(path, [1, 4]);
            }

            public sealed class NotExported : nn.Module<Tensor, Tensor>
            {
                public NotExported() : base("n") { }
                public override Tensor forward(Tensor input) => input.exp();
            }
            """);

    [Fact]
    public Task ASubmoduleDeclaredAsModuleOfTensorIsAnInfoAndTheExportStays()
        => Export.VerifyAnalyzerAsync(Usings + """
            namespace App;
            [OnnxExport]
            public sealed partial class Chosen : nn.Module<Tensor, Tensor>
            {
                private readonly nn.Module<Tensor, Tensor> {|VOLT0063:network|};
                public Chosen(nn.Module<Tensor, Tensor> network) : base("c") { this.network = network; RegisterComponents(); }
                public override Tensor forward(Tensor input) => network.forward(input);
                public void Use(string path) => ExportOnnx(path, [1, 4]);
            }
            """);
}
