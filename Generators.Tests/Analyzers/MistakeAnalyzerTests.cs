using System.Threading.Tasks;
using Volt.Analyzers.CodeFixes;
using Volt.Analyzers.Rules;

namespace Volt.Generators.Tests.Analyzers;

using Logs = VoltVerifier<LogCallAnalyzer, NoFix>;
using Calls = VoltVerifier<TrainerCallAnalyzer, NoFix>;
using Placement = VoltVerifier<StepAttributePlacementAnalyzer, NoFix>;
using Structure = VoltVerifier<ModuleStructureAnalyzer, AddPartialCodeFix>;

/// <summary>Mistakes that used to surface only at run time or as unrelated C# errors.</summary>
public sealed class MistakeAnalyzerTests
{
    private const string Usings = AnalyzerSources.Usings + "using Volt.Data;\n";

    private const string Members = AnalyzerSources.Members;

    [Fact]
    public Task SameMetricWithDifferentOptionsInOnePhaseIsReported()
        => Logs.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = forward(batch).sum();
                    Log("loss", loss);
                    Log("loss", loss, onStep: true, onEpoch: false);
                    Helper(loss);
                    Log("max", loss, reduce: MetricReduce.Max);
                    {|VOLT0022:Log("max", loss, reduce: MetricReduce.Min)|};
                    return loss;
                }

                private void Helper(Tensor loss) => {|VOLT0022:Log("loss", loss, onEpoch: true)|};

                // Another phase keeps its own options: per epoch in validation is no conflict.
                [ValidationStep]
                void Check(Tensor batch) => Log("loss", forward(batch).sum(), onStep: false);

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task LogInAPredictStepOrItsHelperIsReported()
        => Logs.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep] Tensor Step(Tensor batch) => forward(batch).sum();

                [PredictStep]
                Tensor Predict(Tensor batch)
                {
                    var output = forward(batch);
                    {|VOLT0023:Log("mean", output.mean())|};
                    return Describe(output);
                }

                private Tensor Describe(Tensor output)
                {
                    {|VOLT0023:Log("max", output.max())|};
                    return output;
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    private const string Modules = """
        namespace App;
        public sealed record XY(Tensor X, Tensor Y);
        public sealed record ImageBatch(Tensor Images);
        public partial class Classifier() : nn.Module<Tensor, Tensor>("c")
        {
            private readonly Linear layer = nn.Linear(4, 1);
            public override Tensor forward(Tensor input) => layer.forward(input);
            [TrainingStep] Tensor Train(XY batch) => forward(batch.X).sum();
            [ValidationStep] void Validate(XY batch) => Log("val", forward(batch.X).sum());
            [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
        }

        """;

    [Fact]
    public Task LoaderOfAnotherBatchTypeIsNamedAtTheCall()
        => Calls.VerifyAnalyzerAsync(Usings + Modules + """
            public static class Program
            {
                public static void Run(Trainer trainer, Classifier classifier, IDataLoader<XY> xy, IDataLoader<ImageBatch> images)
                {
                    trainer.Fit(classifier, xy);
                    trainer.Fit(classifier, xy, xy);
                    trainer.{|CS0411:Fit|}(classifier, {|VOLT0024:images|});
                    trainer.Fit(classifier, xy, {|CS1503:{|VOLT0024:images|}|});
                    trainer.{|CS0411:Validate|}(classifier, {|VOLT0024:images|});
                }
            }
            """);

    [Fact]
    public Task TrainerCallOnAModuleWithoutTheStepSaysWhichStepToAdd()
        => Calls.VerifyAnalyzerAsync(Usings + Modules + """
            public static class Program
            {
                public static void Run(Trainer trainer, Classifier classifier, IDataLoader<XY> xy)
                {
                    trainer.Test({|CS1503:{|VOLT0025:classifier|}|}, xy);
                    trainer.{|CS0411:Predict|}({|VOLT0025:classifier|}, xy);
                }
            }
            """);

    [Fact]
    public Task StepAttributesOnLocalFunctionsAndLambdasAreReported()
        => Placement.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep] Tensor Step(Tensor batch) => forward(batch).sum();

                public void Setup()
                {
                    [{|VOLT0026:ValidationStep|}] void Check(Tensor batch) { }
                    Func<Tensor, Tensor> train = [{|VOLT0026:TrainingStep|}] (Tensor batch) => batch.sum();
                    Check(torch.ones(1));
                    _ = train;
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task DerivedModuleWithItsOwnAttributesIsRejected()
        => Structure.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class Base() : nn.Module<Tensor, Tensor>("base")
            {
            """ + Members + """
                [TrainingStep] protected virtual Tensor Step(Tensor batch) => forward(batch).sum();
                [ValidationStep] protected virtual void Check(Tensor batch) => Log("val", forward(batch).sum());
                [ConfigureOptimizers] protected virtual optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }

            public partial class {|VOLT0027:Derived|} : Base
            {
                [TrainingStep] protected override Tensor Step(Tensor batch) => forward(batch).mean();
            }

            // Overriding without attributes is the supported way: the base's loop calls the overrides.
            public class Specialized : Base
            {
                protected override Tensor Step(Tensor batch) => forward(batch).mean();
                protected override optim.Optimizer Optimizers() => optim.Adam(parameters());
            }

            public class Ignored : Base
            {
                [ConfigureOptimizers] optim.Optimizer {|VOLT0027:Other|}() => optim.Adam(parameters());
            }
            """);

    [Fact]
    public Task StepsOnARecordStructOrInterfaceAreReportedOnceWithWhatTheTypeIs()
        => Structure.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial record {|VOLT0029:R|}() { [TrainingStep] Tensor Step(Tensor batch) => batch.sum(); }
            public partial struct {|VOLT0029:S|} { [TrainingStep] Tensor Step(Tensor batch) => batch.sum(); }
            public partial interface {|VOLT0029:I|} { [TrainingStep] Tensor Step(Tensor batch) => batch.sum(); }
            public abstract partial class {|VOLT0030:A|}() : nn.Module<Tensor, Tensor>("a")
            {
            """ + Members + """
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            [Monitor("")]
            public partial class {|VOLT0031:NoName|}() : nn.Module<Tensor, Tensor>("n")
            {
            """ + Members + """
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);
}
