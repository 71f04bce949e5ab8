using System.Threading.Tasks;
using Volt.Analyzers.CodeFixes;
using Volt.Analyzers.Rules;

namespace Volt.Generators.Tests.Analyzers;

using Verify = VoltVerifier<RankSideEffectAnalyzer, GuardWithIsGlobalZeroCodeFix>;

/// <summary>VOLT0037: file writes and console output in steps that every rank would run.</summary>
public sealed class RankSideEffectAnalyzerTests
{
    private const string Usings = AnalyzerSources.Usings + "using System.IO;\n";

    [Fact]
    public Task WritesAndPrintsInStepsAndTheirHelpersAreReportedUnlessRankGuarded()
        => Verify.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + AnalyzerSources.Members + """
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = forward(batch).sum();
                    {|VOLT0037:Console.WriteLine("step")|};
                    {|VOLT0037:Console.Error.WriteLine("step")|};
                    if (IsGlobalZero)
                    {
                        Console.WriteLine("once");
                        File.AppendAllText("log.txt", "once");
                    }

                    var line = GlobalRank == 0 ? Describe() : "";
                    Save();
                    return loss;
                }

                [ValidationStep]
                void Validate(Tensor batch) => {|VOLT0037:File.WriteAllText("val.txt", "x")|};

                private string Describe() => "ok";

                private void Save()
                {
                    using var writer = {|VOLT0037:new StreamWriter("weights.txt")|};
                }

                // Not reached from a step: not reported.
                public void Report() => Console.WriteLine("done");
            }
            """);

    [Fact]
    public Task TheFixWrapsTheStatementInAnIsGlobalZeroTest()
        => Verify.VerifyCodeFixAsync(
            Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + AnalyzerSources.Members + """
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = forward(batch).sum();
                    {|VOLT0037:Console.WriteLine("step")|};
                    return loss;
                }
            }
            """,
            Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + AnalyzerSources.Members + """
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = forward(batch).sum();
                    if (IsGlobalZero)
                    {
                        Console.WriteLine("step");
                    }
                    return loss;
                }
            }
            """);
}
