namespace Volt.Generators.Tests;

/// <summary>The generated code compiles without errors or warnings for each supported shape of module and batch.</summary>
public sealed class CompilationTests
{
    private const string Body = """
        {
            private readonly Linear layer = nn.Linear(4, 2);

            public override Tensor forward(Tensor input) => layer.forward(input);

            [TrainingStep]
            public Tensor TrainingStep(BATCH batch) => forward(X).sum();

            [ValidationStep]
            public void ValidationStep(BATCH batch, int batchIndex) => Log("val_loss", forward(X).sum());

            [ConfigureOptimizers]
            public optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.1);
        }
        """;

    private static string Module(string declaration, string batchType, string x) => declaration + "\n" + Body.Replace("BATCH", batchType).Replace("X)", x + ")");

    public static TheoryData<string, string> Cases => new()
    {
        {
            "block namespace",
            TestSources.Usings + "namespace Block { public sealed record Batch(Tensor X, Tensor Y);\n"
                + Module("public partial class M(int size = 4) : nn.Module<Tensor, Tensor>(\"m\")", "Batch", "batch.X") + "\n}"
        },
        {
            "file-scoped namespace",
            TestSources.Usings + "namespace FileScoped;\npublic sealed record Batch(Tensor X, Tensor Y);\n"
                + Module("public partial class M(int size = 4) : nn.Module<Tensor, Tensor>(\"m\")", "Batch", "batch.X")
        },
        {
            "global namespace",
            TestSources.Usings + "public sealed record Batch(Tensor X, Tensor Y);\n"
                + Module("public partial class M(int size = 4) : nn.Module<Tensor, Tensor>(\"m\")", "Batch", "batch.X")
        },
        {
            "nested class",
            TestSources.Usings + "namespace Nested;\npublic sealed record Batch(Tensor X, Tensor Y);\npublic static partial class Outer { internal partial class Middle<T> {\n"
                + Module("private partial class M(int size = 4) : nn.Module<Tensor, Tensor>(\"m\")", "Batch", "batch.X") + "\n} }"
        },
        {
            "generic module",
            TestSources.Usings + "namespace Generic;\npublic sealed record Batch(Tensor X, Tensor Y);\n"
                + Module("public partial class M<TTag>(int size = 4) : nn.Module<Tensor, Tensor>(\"m\") where TTag : class", "Batch", "batch.X")
        },
        {
            "record batch",
            TestSources.Usings + "namespace Records;\npublic record Batch(Tensor X, Tensor? Mask) { public int Extra { get; init; } }\n"
                + Module("public partial class M : nn.Module<Tensor, Tensor>", "Batch", "batch.X") .Replace("public partial class M : nn.Module<Tensor, Tensor>\n{", "public partial class M : nn.Module<Tensor, Tensor>\n{\n    public M() : base(\"m\") { }")
        },
        {
            "record struct batch",
            TestSources.Usings + "namespace RecordStructs;\npublic readonly record struct Batch(Tensor X, Tensor Y, string Name);\n"
                + Module("public partial class M() : nn.Module<Tensor, Tensor>(\"m\")", "Batch", "batch.X")
        },
        {
            "class batch",
            TestSources.Usings + "namespace Classes;\npublic sealed class Batch { public Tensor X { get; set; } = null!; public Tensor Y { get; init; } = null!; public string? Name { get; set; } public int Count => 2; }\n"
                + Module("public partial class M() : nn.Module<Tensor, Tensor>(\"m\")", "Batch", "batch.X")
        },
        {
            "value tuple batch",
            TestSources.Usings + "namespace Tuples;\n"
                + Module("public partial class M() : nn.Module<Tensor, Tensor>(\"m\")", "(Tensor Input, Tensor Target)", "batch.Input")
        },
        {
            "tensor batch",
            TestSources.Usings + "namespace Tensors;\n"
                + Module("public partial class M() : nn.Module<Tensor, Tensor>(\"m\")", "Tensor", "batch")
        },
        {
            "regular constructor with hyperparameter properties",
            TestSources.Usings + "namespace Regular;\npublic sealed record Batch(Tensor X, Tensor Y);\n"
                + Module("public partial class M : nn.Module<Tensor, Tensor>", "Batch", "batch.X")
                    .Replace("public partial class M : nn.Module<Tensor, Tensor>\n{", "public partial class M : nn.Module<Tensor, Tensor>\n{\n    public M(int width, Device? device = null) : base(\"m\") { Width = width; RegisterComponents(); }\n    [Hyperparameter] public int Width { get; }\n    [Hyperparameter] public double? Momentum { get; set; }")
        },
    };

    public static TheoryData<string, string> OptimizerShapes => new()
    {
        {
            "optimizer with a scheduler",
            TestSources.Usings + """
                namespace Shapes;
                public partial class M() : nn.Module<Tensor, Tensor>("m")
                {
                    private readonly Linear layer = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => layer.forward(input);
                    [TrainingStep] Tensor Step(Tensor batch) => forward(batch).sum();
                    [ConfigureOptimizers]
                    OptimizerConfig Optimizers()
                    {
                        var optimizer = optim.SGD(parameters(), 0.1);
                        return new OptimizerConfig(optimizer, new SchedulerConfig(optim.lr_scheduler.StepLR(optimizer, 1)) { Interval = SchedulerInterval.Step });
                    }
                }
                """
        },
        {
            "manual optimization with a tuple of optimizers",
            TestSources.Usings + """
                namespace Shapes;
                public sealed record Batch(Tensor X);
                public partial class M() : nn.Module<Tensor, Tensor>("m")
                {
                    private readonly Linear a = nn.Linear(4, 1);
                    private readonly Linear b = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => a.forward(input) + b.forward(input);
                    [TrainingStep(AutomaticOptimization = false)]
                    void Step(Batch batch, int batchIndex, (TorchSharp.Modules.Adam A, TorchSharp.Modules.SGD B) optimizers)
                    {
                        ManualBackward(forward(batch.X).sum());
                        optimizers.A.step();
                        optimizers.B.step();
                    }
                    [ValidationStep] void Check(Batch batch) => Log("v", forward(batch.X).mean());
                    [ConfigureOptimizers]
                    (TorchSharp.Modules.Adam A, TorchSharp.Modules.SGD B) Optimizers() => (optim.Adam(a.parameters()), optim.SGD(b.parameters(), 0.1));
                }
                """
        },
        {
            "manual optimization with an optimizer and a scheduler configuration",
            TestSources.Usings + """
                namespace Shapes;
                public partial class M() : nn.Module<Tensor, Tensor>("m")
                {
                    private readonly Linear a = nn.Linear(4, 1);
                    private readonly Linear b = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => a.forward(input) + b.forward(input);
                    [TrainingStep(AutomaticOptimization = false)]
                    void Step(Tensor batch, (OptimizerConfig A, optim.Optimizer B) optimizers)
                    {
                        ManualBackward(forward(batch).sum());
                        optimizers.A.Optimizer.step();
                        optimizers.A.Scheduler?.Scheduler.step();
                        optimizers.B.step();
                    }
                    [ConfigureOptimizers]
                    (OptimizerConfig A, optim.Optimizer B) Optimizers()
                    {
                        var first = optim.Adam(a.parameters());
                        return (new OptimizerConfig(first, new SchedulerConfig(optim.lr_scheduler.StepLR(first, 1))), optim.SGD(b.parameters(), 0.1));
                    }
                }
                """
        },
        {
            "manual optimization with one optimizer",
            TestSources.Usings + """
                namespace Shapes;
                public partial class M() : nn.Module<Tensor, Tensor>("m")
                {
                    private readonly Linear a = nn.Linear(4, 1);
                    public override Tensor forward(Tensor input) => a.forward(input);
                    [TrainingStep(AutomaticOptimization = false)]
                    Tensor Step(Tensor batch, optim.Optimizer optimizer)
                    {
                        var loss = forward(batch).sum();
                        ManualBackward(loss);
                        optimizer.step();
                        return loss;
                    }
                    [ConfigureOptimizers] TorchSharp.Modules.Adam Optimizers() => optim.Adam(parameters());
                }
                """
        },
    };

    [Theory]
    [MemberData(nameof(OptimizerShapes))]
    public void OptimizerShapesCompileWithoutWarnings(string name, string source)
    {
        var output = GeneratorHarness.Run(source);
        Assert.True(output.Files.Count == 1, $"{name}: expected one generated file, got {output.Files.Count}");
        output.AssertCompilesCleanly();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratedCodeCompilesWithoutWarnings(string name, string source)
    {
        var output = GeneratorHarness.Run(source);
        Assert.True(output.Files.Count == 1, $"{name}: expected one generated file, got {output.Files.Count}");
        output.AssertCompilesCleanly();
    }
}
