namespace Volt.Generators.Tests;

/// <summary>Module shapes the generator accepts compile without warnings under #nullable enable (TreatWarningsAsErrors builds).</summary>
public sealed class AcceptedShapeTests
{
    public static TheoryData<string, string> Shapes => new()
    {
        {
            "nullable step signatures",
            TestSources.Usings + """
                namespace Nullable;
                public sealed record Batch(Tensor X, Tensor? Mask);
                public partial class M() : nn.Module<Tensor, Tensor>("m")
                {
                    private readonly Linear layer = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => layer.forward(input);
                    [TrainingStep] Tensor? Step(Batch? batch) => batch is null ? null : forward(batch.X).sum();
                    [ValidationStep] Tensor? Check(Batch? batch, int batchIndex) => batch is null ? null : forward(batch.X).sum();
                    [TestStep] void Test(Batch? batch) { }
                    [PredictStep] Tensor? Predict(Batch? batch) => batch is null ? null : forward(batch.X);
                    [ConfigureOptimizers] optim.Optimizer? Optimizers() => optim.SGD(parameters(), 0.1);
                }
                """
        },
        {
            "nullable optimizer configuration and manual optimizers",
            TestSources.Usings + """
                namespace NullableManual;
                public partial class A() : nn.Module<Tensor, Tensor>("a")
                {
                    private readonly Linear layer = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => layer.forward(input);
                    [TrainingStep] Tensor Step(Tensor batch) => forward(batch).sum();
                    [ConfigureOptimizers] OptimizerConfig? Optimizers() => new OptimizerConfig(optim.SGD(parameters(), 0.1));
                }
                public partial class B() : nn.Module<Tensor, Tensor>("b")
                {
                    private readonly Linear layer = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => layer.forward(input);
                    [TrainingStep(AutomaticOptimization = false)] Tensor? Step(Tensor? batch, optim.Optimizer? optimizer) => null;
                    [ConfigureOptimizers] optim.Optimizer? Optimizers() => optim.SGD(parameters(), 0.1);
                }
                """
        },
        {
            "module derived from a user base module",
            TestSources.Usings + """
                namespace Derived;
                public abstract class Backbone(string name) : nn.Module<Tensor, Tensor>(name)
                {
                    protected readonly Linear layer = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => layer.forward(input);
                    protected Tensor Features(Tensor input) => input * 2;
                    public int Width { get; } = 4;
                }
                public sealed partial class Head(double learningRate = 0.1) : Backbone("head")
                {
                    [TrainingStep] Tensor Step(Tensor batch) => forward(Features(batch)).sum();
                    [ValidationStep] void Check(Tensor batch) => Log("val", forward(batch).sum());
                    [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), learningRate);
                }
                """
        },
        {
            "tensor collections, computed members and array hyperparameters",
            TestSources.Usings + """
                using System.Collections.Generic;
                namespace Collections;
                public sealed record Batch(Tensor[] Inputs, List<Tensor> Targets, Dictionary<string, Tensor> Named, Tensor?[]? Optional, int Count)
                {
                    public Tensor First => Inputs[0];
                    public Tensor Both { get { return Inputs[0] + Targets[0]; } }
                }
                public sealed class ClassBatch { public List<Tensor> Parts { get; set; } = []; public Tensor Mask { get; set; } = null!; }
                public partial class M(int[] widths, string[] tags, Activation[]? activations = null, bool[]? flags = null) : nn.Module<Tensor, Tensor>("m")
                {
                    private readonly Linear layer = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => layer.forward(input);
                    [TrainingStep] Tensor Step(Batch batch) => forward(batch.First).sum() * widths.Length;
                    [ValidationStep] void Check(ClassBatch batch) => Log("val", forward(batch.Mask).sum());
                    [TestStep] void Test((Tensor[] Inputs, Tensor Target) batch) => Log("test", forward(batch.Target).sum());
                    [PredictStep] Tensor Predict((List<Tensor> Parts, int Id) batch) => forward(batch.Parts[0]);
                    [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
                }
                public enum Activation { Relu, Tanh }
                """
        },
        {
            "MetricReduce under the documented usings",
            """
                using TorchSharp;
                using Volt;
                using static TorchSharp.torch;
                namespace Documented;
                public partial class M() : nn.Module<Tensor, Tensor>("m")
                {
                    private readonly TorchSharp.Modules.Linear layer = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => layer.forward(input);
                    [TrainingStep]
                    Tensor Step(Tensor batch)
                    {
                        var loss = forward(batch).sum();
                        Log("loss_max", loss, onEpoch: true, reduce: MetricReduce.Max);
                        return loss;
                    }
                    [ConfigureOptimizers] optim.Optimizer Optimizers() => optim.SGD(parameters(), 0.1);
                }
                """
        },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CompilesWithoutWarnings(string name, string source)
    {
        var output = GeneratorHarness.Run(source);
        Assert.True(output.Files.Count >= 1, $"{name}: nothing generated");
        Assert.All(output.Files.Values, text => Assert.Contains("IVoltModule", text));
        output.AssertCompilesCleanly();
    }
}
