using TorchSharp.Modules;
using Volt.Runtime.Tests.Export;
using Volt.Serving;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Serving;

/// <summary>TinyNet served with a Tensor batch: the request is <c>{"inputs": [[4 numbers], ...]}</c>, the answer <c>{"outputs": [[3 numbers], ...]}</c>.</summary>
[Serve]
[ExampleShape("Inputs", 4)]
public sealed partial class ServedTinyNet() : nn.Module<Tensor, Tensor>("served_tiny")
{
    private readonly TinyNet network = new();

    public override Tensor forward(Tensor input) => network.forward(input);

    [PredictStep]
    private Tensor Predict(Tensor batch) => forward(batch);
}

/// <summary>A record batch of two tensors (one of them int64) and a record output: the generated contract's constructor path.</summary>
public sealed record FeatureBatch(Tensor Features, Tensor Offsets);

/// <summary>The prediction: logits and the best class (int64).</summary>
public sealed record Scores(Tensor Logits, Tensor Best);

/// <summary>
/// Logits = linear(features) + offsets (offsets are whole numbers, one per class), best = argmax.
/// Trainer.Predict and the server run the same [PredictStep].
/// </summary>
[Serve]
[ExampleShape(nameof(FeatureBatch.Features), 2, 2)]
[ExampleShape(nameof(FeatureBatch.Offsets), 3, DType = ScalarType.Int64)]
public sealed partial class OffsetClassifier() : nn.Module<Tensor, Tensor>("offset_classifier")
{
    private readonly Linear linear = nn.Linear(4, 3);

    public override Tensor forward(Tensor input) => linear.forward(input.flatten(1));

    [PredictStep]
    private Scores Predict(FeatureBatch batch, int batchIndex)
    {
        var logits = forward(batch.Features) + batch.Offsets.to(ScalarType.Float32);
        return new Scores(logits, logits.argmax(1));
    }
}

/// <summary>A batch with a number beside its tensor: built with an object initializer, never stacked with other requests.</summary>
public sealed class ScaledInputs
{
    public Tensor Inputs { get; set; } = null!;

    public double Scale { get; set; }
}

/// <summary>Answers a tuple: the scaled inputs and their row sums.</summary>
[Serve]
[ExampleShape(nameof(ScaledInputs.Inputs), 4)]
public sealed partial class Scaler() : nn.Module<Tensor, Tensor>("scaler")
{
    /// <summary>The batch sizes the step saw.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<long> BatchSizes { get; } = new();

    public override Tensor forward(Tensor input) => input;

    [PredictStep]
    private (Tensor Scaled, Tensor Sum) Predict(ScaledInputs batch)
    {
        BatchSizes.Enqueue(batch.Inputs.shape[0]);
        var scaled = batch.Inputs * batch.Scale;
        return (scaled, scaled.sum(1));
    }
}

/// <summary>Declares 5 numbers per example for a layer that takes 4: the server must refuse to start.</summary>
[Serve]
[ExampleShape("Inputs", 5)]
public sealed partial class WrongShapeNet() : nn.Module<Tensor, Tensor>("wrong_shape")
{
    private readonly Linear linear = nn.Linear(4, 2);

    public override Tensor forward(Tensor input) => linear.forward(input);

    [PredictStep]
    private Tensor Predict(Tensor batch) => forward(batch);
}
