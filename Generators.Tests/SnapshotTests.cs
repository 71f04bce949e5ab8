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

    [Fact]
    public void ManualOptimizationWithTwoOptimizers()
    {
        var output = GeneratorHarness.Run(TestSources.Usings + """
            namespace Gan;

            public sealed record Images(Tensor Pixels);

            public sealed partial class Gan(int noiseSize = 64) : nn.Module<Tensor, Tensor>("gan")
            {
                private readonly Linear generator = nn.Linear(noiseSize, 784);
                private readonly Linear discriminator = nn.Linear(784, 1);

                public override Tensor forward(Tensor noise) => generator.forward(noise);

                [TrainingStep(AutomaticOptimization = false)]
                private void Step(Images batch, (optim.Optimizer Generator, optim.Optimizer Discriminator) optimizers)
                {
                    var fake = forward(randn(batch.Pixels.size(0), noiseSize, device: Device));
                    optimizers.Discriminator.zero_grad();
                    ManualBackward(discriminator.forward(fake.detach()).mean() - discriminator.forward(batch.Pixels).mean());
                    optimizers.Discriminator.step();
                    optimizers.Generator.zero_grad();
                    ManualBackward(-discriminator.forward(fake).mean());
                    optimizers.Generator.step();
                }

                [ConfigureOptimizers]
                private (optim.Optimizer Generator, optim.Optimizer Discriminator) Optimizers()
                    => (optim.Adam(generator.parameters(), 2e-4), optim.Adam(discriminator.parameters(), 2e-4));
            }
            """);
        output.AssertCompilesCleanly();
        Snapshot.Match(output.Files);
    }
}
