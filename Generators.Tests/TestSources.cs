namespace Volt.Generators.Tests;

/// <summary>Module sources the generator tests share.</summary>
internal static class TestSources
{
    public const string Usings = """
        using TorchSharp;
        using TorchSharp.Modules;
        using Volt;
        using static TorchSharp.torch;
        using static TorchSharp.torch.nn;

        """;

    /// <summary>A classifier with a record batch, hyperparameters from a primary constructor, and all four phases.</summary>
    public const string Classifier = Usings + """
        namespace Samples;

        public sealed record Batch(Tensor Images, Tensor Labels);

        public enum Activation { Relu, Tanh }

        [Monitor("val_acc", MonitorMode.Max)]
        public sealed partial class Classifier(int hiddenSize = 128, double learningRate = 1e-3, Activation activation = Activation.Relu, string? note = null)
            : nn.Module<Tensor, Tensor>("classifier")
        {
            private readonly Linear hidden = nn.Linear(784, hiddenSize);
            private readonly Linear output = nn.Linear(hiddenSize, 10);

            [Hyperparameter]
            public float Dropout { get; init; } = 0.1f;

            public override Tensor forward(Tensor input)
                => output.forward(functional.relu(hidden.forward(input.flatten(1))));

            [TrainingStep]
            private Tensor Train(Batch batch)
            {
                var loss = functional.cross_entropy(forward(batch.Images), batch.Labels);
                Log("train_loss", loss, progressBar: true);
                return loss;
            }

            [ValidationStep]
            private void Validate(Batch batch, int batchIndex)
            {
                var logits = forward(batch.Images);
                Log("val_loss", functional.cross_entropy(logits, batch.Labels), progressBar: true);
                Log("val_acc", logits.argmax(1).eq(batch.Labels).to(ScalarType.Float32).mean(), progressBar: true);
            }

            [TestStep]
            private void Test(Batch batch)
                => Log("test_acc", forward(batch.Images).argmax(1).eq(batch.Labels).to(ScalarType.Float32).mean());

            [PredictStep]
            private Tensor Predict(Batch batch) => forward(batch.Images).argmax(1);

            [ConfigureOptimizers]
            private optim.Optimizer Optimizers() => optim.Adam(parameters(), learningRate);
        }
        """;
}
