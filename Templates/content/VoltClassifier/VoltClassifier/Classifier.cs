using TorchSharp;
using TorchSharp.Modules;
using Volt;
using Volt.Cli;
using Volt.Data;
using Volt.Metrics.Classification;
using static TorchSharp.torch;

namespace VoltClassifier;

/// <summary>
/// A Fashion-MNIST classifier: a multilayer perceptron with one hidden layer. The constructor
/// parameters are its hyperparameters: they are saved with every run and checkpoint (so
/// <c>Classifier.LoadFromCheckpoint</c> rebuilds the same network) and they are the
/// <c>--model.*</c> options of the generated command line, with these docs as help text.
/// The step methods say what one step does; Volt's generator writes the training loop.
/// </summary>
/// <param name="hiddenSize">Units of the hidden layer.</param>
/// <param name="dropout">Probability of zeroing a hidden unit during training.</param>
/// <param name="learningRate">The Adam learning rate.</param>
[Monitor("val_acc", MonitorMode.Max)]
[GenerateCli(typeof(FashionData))]
public sealed partial class Classifier(int hiddenSize = 128, double dropout = 0.1, double learningRate = 1e-3)
    : nn.Module<Tensor, Tensor>("classifier")
{
    private const int Classes = 10;

    private readonly Linear hidden = nn.Linear(28 * 28, hiddenSize);
    private readonly Dropout hiddenDropout = nn.Dropout(dropout);
    private readonly Linear output = nn.Linear(hiddenSize, Classes);

    // Metrics accumulate over the whole epoch; Log computes and resets them at its end.
    private readonly Accuracy validationAccuracy = new(ClassificationTask.Multiclass(Classes));
    private readonly Accuracy testAccuracy = new(ClassificationTask.Multiclass(Classes));

    /// <summary>Maps images (N×1×28×28, pixels in [0, 1]) to class logits (N×10).</summary>
    public override Tensor forward(Tensor images)
        => output.forward(hiddenDropout.forward(nn.functional.relu(hidden.forward(images.flatten(1)))));

    [TrainingStep]
    private Tensor TrainingStep(ImageBatch batch)
    {
        var loss = nn.functional.cross_entropy(forward(batch.Images), batch.Labels);
        Log("train_loss", loss, progressBar: true);
        return loss;
    }

    [ValidationStep]
    private void ValidationStep(ImageBatch batch)
    {
        var logits = forward(batch.Images);
        Log("val_loss", nn.functional.cross_entropy(logits, batch.Labels), progressBar: true);
        validationAccuracy.Update(logits, batch.Labels);
        Log("val_acc", validationAccuracy, progressBar: true);
    }

    [TestStep]
    private void TestStep(ImageBatch batch)
    {
        var logits = forward(batch.Images);
        Log("test_loss", nn.functional.cross_entropy(logits, batch.Labels));
        testAccuracy.Update(logits, batch.Labels);
        Log("test_acc", testAccuracy);
    }

    /// <summary>The most likely class of each image (what <c>predict</c> returns).</summary>
    [PredictStep]
    private Tensor PredictStep(ImageBatch batch) => forward(batch.Images).argmax(1);

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.Adam(parameters(), learningRate);
}
