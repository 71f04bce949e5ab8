using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Volt.Analyzers.CodeFixes;
using Volt.Analyzers.Rules;

namespace Volt.Generators.Tests.Analyzers;

using Code = VoltVerifier<StepCodeAnalyzer, PassDeviceCodeFix>;
using Metrics = VoltVerifier<MetricNameAnalyzer, UseLoggedMetricNameCodeFix>;

/// <summary>The step rules follow the module's methods a step calls, and a static nothing writes is not state.</summary>
public sealed class StepReachAnalyzerTests
{
    private const string Usings = AnalyzerSources.Usings;

    private const string Members = AnalyzerSources.Members;

    /// <summary>TorchSharp's dtype aliases are public static fields that are not readonly; nothing writes them.</summary>
    [Fact]
    public async Task EveryDtypeAliasIsSilent()
    {
        var aliases = typeof(TorchSharp.torch).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(TorchSharp.torch.ScalarType) && !f.IsInitOnly && !f.IsLiteral)
            .Select(f => f.Name)
            .OrderBy(n => n, System.StringComparer.Ordinal)
            .ToList();
        Assert.True(aliases.Count >= 20, $"expected TorchSharp's ~23 dtype aliases, found {aliases.Count}: {string.Join(", ", aliases)}");

        var casts = string.Join("\n", aliases.Select(a => $"        _ = input.to(@{a}); _ = input.to(torch.@{a});"));
        await Code.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch) => forward(Cast(batch).to(float32)).sum();

                private Tensor Cast(Tensor input)
                {
            """ + casts + """

                    return input;
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);
    }

    [Fact]
    public Task StaticsWrittenAnywhereAreStateWhenAStepReadsThem()
        => Code.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public static class Settings { public static double Scale = 1.0; public static double Fixed = 2.0; public static int Calls { get; set; } }
            public static class Program { public static void Configure() { Settings.Scale = 3.0; Settings.Calls += 1; } }
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch) => forward(batch).sum() * Factor;

                private double Factor => {|VOLT0013:Settings.Scale|} * Settings.Fixed * {|VOLT0013:Settings.Calls|};

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task FactoriesOptimizationCallsAndHostSyncsInCalledMethodsAreReported()
        => Code.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                private optim.Optimizer? optimizer;

                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = Loss(batch);
                    Func<Tensor, Tensor> noisy = x => x + Noise();
                    Update(noisy(loss));
                    return loss;
                }

                [ValidationStep]
                void Check(Tensor batch) => Log("val", Evaluate(batch));

                private Tensor Loss(Tensor batch) => forward(batch + {|VOLT0016:torch.randn(4)|}).sum();

                private Tensor Noise() => {|VOLT0016:torch.zeros(1)|};

                private void Update(Tensor loss)
                {
                    {|VOLT0017:loss.backward()|};
                    {|VOLT0017:optimizer!.step()|};
                    Console.WriteLine({|VOLT0019:loss.ToSingle()|});
                }

                // Validation may sync: the host-sync rule is about training steps.
                private Tensor Evaluate(Tensor batch) => forward(batch).mean() * forward(batch).sum().ToSingle();

                // No step calls this: nothing to report.
                public void Unused() { torch.ones(3).backward(); }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optimizer = optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task ManualOptimizationHelpersMayStepTheOptimizer()
        => Code.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep(AutomaticOptimization = false)]
                void Step(Tensor batch, optim.Optimizer optimizer) => Update(forward(batch).sum(), optimizer);

                private void Update(Tensor loss, optim.Optimizer optimizer)
                {
                    optimizer.zero_grad();
                    ManualBackward(loss);
                    optimizer.step();
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task LogInAHelperOfTheTrainingStepIsPerStep()
        => Metrics.VerifyAnalyzerAsync(Usings + """
            namespace App;
            [Monitor({|VOLT0012:"train_loss"|})]
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch) => Record(forward(batch).sum());

                private Tensor Record(Tensor loss)
                {
                    Log("train_loss", loss);
                    return loss;
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task LogInAHelperOfTheValidationStepIsPerEpoch()
        => Metrics.VerifyAnalyzerAsync(Usings + """
            namespace App;
            [Monitor("loss")]
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch) => Record(forward(batch).sum());

                [ValidationStep]
                void Check(Tensor batch) => Record(forward(batch).sum());

                private Tensor Record(Tensor loss)
                {
                    Log("loss", loss);
                    return loss;
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);
}
