namespace Volt.Generators.Tests;

public sealed class SnapshotTests
{
    [Fact]
    public void Classifier()
    {
        var output = GeneratorHarness.Run(TestSources.Classifier);
        output.AssertCompilesCleanly();
        Assert.Equal(["Samples.Classifier.g.cs"], output.Files.Keys);
        Snapshot.Match(output.Files);
    }

    [Fact]
    public void NestedGenericModuleWithClassBatchAndRegularConstructor()
    {
        var output = GeneratorHarness.Run(TestSources.Usings + """
            namespace Shapes;

            public sealed class Batch
            {
                public Tensor Input { get; set; } = null!;
                public Tensor? Weights { get; set; }
                public string Source { get; set; } = "";
            }

            public static partial class Models
            {
                public sealed partial class Regressor<TTag> : nn.Module<Tensor, Tensor>
                {
                    private readonly Linear layer;

                    public Regressor(int width, Device? device = null) : base("regressor")
                    {
                        Width = width;
                        layer = nn.Linear(width, 1);
                        RegisterComponents();
                    }

                    [Hyperparameter]
                    public int Width { get; }

                    [Hyperparameter]
                    public double? WeightDecay { get; set; }

                    public override Tensor forward(Tensor input) => layer.forward(input);

                    [TrainingStep]
                    private Tensor Step(Batch batch, int batchIndex) => forward(batch.Input).square().mean();

                    [PredictStep]
                    private (Tensor Value, int Index) Predict((Tensor Input, Tensor Unused) batch, int batchIndex) => (forward(batch.Input), batchIndex);

                    [ConfigureOptimizers]
                    private TorchSharp.Modules.SGD Sgd() => optim.SGD(parameters(), 0.01, weight_decay: WeightDecay ?? 0);
                }
            }
            """);
        output.AssertCompilesCleanly();
        Snapshot.Match(output.Files);
    }
}
