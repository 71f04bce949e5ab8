using System.Threading.Tasks;
using Volt.Analyzers.CodeFixes;
using Volt.Analyzers.Rules;

namespace Volt.Generators.Tests.Analyzers;

using Structure = VoltVerifier<ModuleStructureAnalyzer, AddPartialCodeFix>;
using Metrics = VoltVerifier<MetricNameAnalyzer, UseLoggedMetricNameCodeFix>;
using Code = VoltVerifier<StepCodeAnalyzer, PassDeviceCodeFix>;

/// <summary>Each rule on a typical mistake, its code fix where there is one, and silence on correct code.</summary>
public sealed class AnalyzerTests
{
    private const string Usings = AnalyzerSources.Usings;

    private const string Members = AnalyzerSources.Members;

    [Fact]
    public Task NotPartialIsReportedAndFixedOnContainingTypesToo()
        => Structure.VerifyCodeFixAsync(
            Usings + """
            namespace App;
            public static class Outer
            {
                public class {|VOLT0001:M|}() : nn.Module<Tensor, Tensor>("m")
                {
                    public override Tensor forward(Tensor input) => input;
                    [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                    [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
                }
            }
            """,
            Usings + """
            namespace App;
            public static partial class Outer
            {
                public partial class M() : nn.Module<Tensor, Tensor>("m")
                {
                    public override Tensor forward(Tensor input) => input;
                    [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                    [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
                }
            }
            """);

    [Fact]
    public Task StructuralMistakesNameTheMember()
        => Structure.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class {|VOLT0003:NoOptimizer|}() : nn.Module<Tensor, Tensor>("a")
            {
                public override Tensor forward(Tensor input) => input;
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
            }

            public partial class Twice() : nn.Module<Tensor, Tensor>("b")
            {
                public override Tensor forward(Tensor input) => input;
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                [TrainingStep] Tensor {|VOLT0004:Again|}(Tensor batch) => batch.sum();
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }

            public partial class BadSignature() : nn.Module<Tensor, Tensor>("c")
            {
                public override Tensor forward(Tensor input) => input;
                [TrainingStep] void {|VOLT0005:Step|}(Tensor batch) { }
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }

            public partial class BadHyperparameter([Hyperparameter] System.Collections.Generic.List<int> {|VOLT0006:sizes|}) : nn.Module<Tensor, Tensor>("d")
            {
                public override Tensor forward(Tensor input) => input;
                [TrainingStep] Tensor Step(Tensor batch) => batch.sum();
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }

            public partial class {|VOLT0002:EvaluateOnly|}() : nn.Module<Tensor, Tensor>("e")
            {
                public override Tensor forward(Tensor input) => input;
                [ValidationStep] void Check(Tensor batch) => Log("v", batch.mean());
            }
            """);

    [Fact]
    public Task MonitorThatNobodyLogsSuggestsTheClosestNameAndFixesIt()
        => Metrics.VerifyCodeFixAsync(
            Usings + """
            namespace App;
            [Monitor({|VOLT0011:"val_accuracy"|}, MonitorMode.Max)]
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep] Tensor Step(Tensor batch) => forward(batch).sum();
                [ValidationStep] void Check(Tensor batch) => Log("val_acc", forward(batch).mean());
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """,
            Usings + """
            namespace App;
            [Monitor("val_acc", MonitorMode.Max)]
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep] Tensor Step(Tensor batch) => forward(batch).sum();
                [ValidationStep] void Check(Tensor batch) => Log("val_acc", forward(batch).mean());
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task CallbackMonitorsAreCheckedAgainstEveryModulesLogCalls()
        => Metrics.VerifyAnalyzerAsync(Usings + """
            using Volt.Callbacks;
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep] Tensor Step(Tensor batch) => forward(batch).sum();
                [ValidationStep] void Check(Tensor batch) => Log("val_loss", forward(batch).mean());
                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }

            public static class Setup
            {
                public static Trainer Create() => new(
                    new TrainerOptions(),
                    callbacks:
                    [
                        new EarlyStopping { Monitor = {|VOLT0020:"val_los"|} },
                        new ModelCheckpoint { Monitor = "val_loss" },
                    ]);
            }
            """);

    [Fact]
    public Task MetricObjectsLoggedByNameCountLikeTensors()
        => Metrics.VerifyAnalyzerAsync(Usings + """
            using Volt.Callbacks;
            using Volt.Metrics.Classification;
            namespace App;
            [Monitor("val_f1", MonitorMode.Max)]
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
                private readonly F1Score f1 = new(ClassificationTask.Multiclass(3), Average.Macro);
                private readonly Accuracy accuracy = new(ClassificationTask.Multiclass(3));
            """ + Members + """
                [TrainingStep] Tensor Step(Tensor batch) => forward(batch).sum();

                [ValidationStep]
                void Check(Tensor batch)
                {
                    f1.Update(forward(batch), batch.argmax(1));
                    Log("val_f1", f1);
                    accuracy.Update(forward(batch), batch.argmax(1));
                    Log("val_acc", accuracy, progressBar: true);
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }

            [Monitor({|VOLT0012:"train_acc"|}, MonitorMode.Max)]
            public partial class PerStep() : nn.Module<Tensor, Tensor>("p")
            {
                private readonly Accuracy accuracy = new(ClassificationTask.Multiclass(3));
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    Log("train_acc", accuracy);
                    return forward(batch).sum();
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }

            public static class Setup
            {
                public static Trainer Create() => new(
                    new TrainerOptions(),
                    callbacks:
                    [
                        new EarlyStopping { Monitor = "val_acc" },
                        new ModelCheckpoint { Monitor = {|VOLT0020:"val_f2"|} },
                    ]);
            }
            """);

    [Fact]
    public Task MonitorLoggedOnlyPerTrainingStepIsReported()
        => Metrics.VerifyAnalyzerAsync(Usings + """
            namespace App;
            [Monitor({|VOLT0012:"train_loss"|})]
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = forward(batch).sum();
                    Log("train_loss", loss);
                    return loss;
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task GlobalStateAndUnseededRandomAreReported()
        => Code.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public static class Counters { public static int Steps; public static readonly int Fixed = 3; }
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                private static double scale = 1.0;
                private static double unchanged = 2.0;
                public static void Rescale(double value) => scale = value;
                private readonly Random random = {|VOLT0014:new Random()|};

                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    Count();
                    var noise = {|VOLT0014:Random.Shared|}.NextDouble() + Counters.Fixed;
                    return forward(batch).sum() * {|VOLT0013:scale|} * noise * unchanged;
                }

                private void Count() => {|VOLT0013:Counters.Steps|}++;

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task HardCodedDevicesAreReported()
        => Code.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var onGpu = {|VOLT0015:batch.cuda()|};
                    var moved = batch.to({|VOLT0015:"cuda:0"|});
                    var device = {|VOLT0015:torch.CUDA|};
                    return forward(batch).sum();
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task TensorFactoriesWithoutADeviceGetDeviceDevice()
        => Code.VerifyCodeFixAsync(
            Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch) => forward(batch + {|VOLT0016:torch.randn(4)|}).sum() + torch.zeros(1, device: Device).sum();

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """,
            Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch) => forward(batch + torch.randn(4, device: Device)).sum() + torch.zeros(1, device: Device).sum();

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task DoubleOptimizationHostSyncsAndPlateauWithoutMonitorAreReported()
        => Code.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                private optim.Optimizer? optimizer;

                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = forward(batch).sum();
                    {|VOLT0017:loss.backward()|};
                    {|VOLT0017:optimizer!.step()|};
                    Console.WriteLine({|VOLT0019:loss.ToSingle()|});
                    return loss;
                }

                [ConfigureOptimizers]
                OptimizerConfig Optimizers()
                {
                    optimizer = optim.SGD(parameters(), 0.1);
                    return new OptimizerConfig(optimizer, {|VOLT0018:new SchedulerConfig(optim.lr_scheduler.ReduceLROnPlateau(optimizer))|});
                }
            }

            public partial class Manual() : nn.Module<Tensor, Tensor>("manual")
            {
            """ + Members + """
                [TrainingStep(AutomaticOptimization = false)]
                void Step(Tensor batch, optim.Optimizer optimizer)
                {
                    optimizer.zero_grad();
                    ManualBackward(forward(batch).sum());
                    ManualStep(optimizer);
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public Task SynchronizedLoggingOnOneRankIsReported()
        => Code.VerifyAnalyzerAsync(Usings + """
            namespace App;
            public partial class M() : nn.Module<Tensor, Tensor>("m")
            {
            """ + Members + """
                [TrainingStep]
                Tensor Step(Tensor batch)
                {
                    var loss = forward(batch).sum();
                    if (IsGlobalZero)
                    {
                        {|VOLT0021:Log("train_loss", loss, syncDist: true)|};
                        Log("rank0_only", loss);
                    }

                    Log("everyone", loss, syncDist: true);
                    return loss;
                }

                [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
            }
            """);

    [Fact]
    public async Task CorrectModulesHaveNoDiagnostics()
    {
        const string source = Usings + """
            namespace App;
            public sealed record Batch(Tensor Images, Tensor Labels);

            [Monitor("val_acc", MonitorMode.Max)]
            public sealed partial class Classifier(int hiddenSize = 16, double learningRate = 1e-3) : nn.Module<Tensor, Tensor>("c")
            {
                private readonly Linear hidden = nn.Linear(784, hiddenSize);
                private readonly Linear output = nn.Linear(hiddenSize, 10);
                private readonly Random random = new(42);
                private const string Cuda = "cpu";

                public override Tensor forward(Tensor images) => output.forward(nn.functional.relu(hidden.forward(images.flatten(1))));

                [TrainingStep]
                private Tensor TrainingStep(Batch batch, int batchIndex)
                {
                    var noise = torch.randn(batch.Images.shape, device: Device) * 0.01;
                    var loss = nn.functional.cross_entropy(forward(batch.Images + noise), batch.Labels);
                    Log("train_loss", loss, progressBar: true);
                    return loss;
                }

                [ValidationStep]
                private void ValidationStep(Batch batch)
                {
                    var logits = forward(batch.Images);
                    Log("val_loss", nn.functional.cross_entropy(logits, batch.Labels));
                    Log("val_acc", logits.argmax(1).eq(batch.Labels).to(ScalarType.Float32).mean());
                }

                [ConfigureOptimizers]
                private OptimizerConfig ConfigureOptimizers()
                {
                    var optimizer = optim.Adam(parameters(), learningRate);
                    return new OptimizerConfig(optimizer, new SchedulerConfig(optim.lr_scheduler.ReduceLROnPlateau(optimizer)) { Monitor = "val_loss" });
                }
            }
            """;
        await Structure.VerifyAnalyzerAsync(source);
        await Metrics.VerifyAnalyzerAsync(source);
        await Code.VerifyAnalyzerAsync(source);
    }
}
