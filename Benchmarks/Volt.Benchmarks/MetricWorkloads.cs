using System.Diagnostics;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Data;
using Volt.Metrics.Classification;
using static TorchSharp.torch;

namespace Volt.Benchmarks;

/// <summary>What <see cref="MetricMlp"/> logs in each training step besides nothing.</summary>
public enum MetricLogging
{
    /// <summary>No metric at all.</summary>
    None,

    /// <summary>Two precomputed tensors, logged per epoch under train_acc and train_f1 (the baseline).</summary>
    PrecomputedTensors,

    /// <summary>Accuracy and macro F1 metric objects, each updated with the step's logits, logged per epoch.</summary>
    MetricObjects,

    /// <summary>The same two metrics in a <see cref="Metrics.MetricCollection"/>: one shared update per step.</summary>
    MetricCollection,
}

/// <summary>The benchmark MLP (784 → 128 → 10, Adam 1e-3) with a choice of per-step metric logging.</summary>
public sealed partial class MetricMlp(MetricLogging logging, int hiddenSize = 128, double learningRate = 1e-3) : nn.Module<Tensor, Tensor>("metric_mlp")
{
    private readonly Linear hidden = nn.Linear(28 * 28, hiddenSize);
    private readonly Linear output = nn.Linear(hiddenSize, 10);
    private readonly Accuracy accuracy = new(ClassificationTask.Multiclass(10));
    private readonly F1Score f1 = new(ClassificationTask.Multiclass(10), Average.Macro);
    private readonly Metrics.MetricCollection collection = new()
    {
        { "train_acc", new Accuracy(ClassificationTask.Multiclass(10)) },
        { "train_f1", new F1Score(ClassificationTask.Multiclass(10), Average.Macro) },
    };

    private readonly Tensor precomputed = torch.tensor(0.5f);

    /// <summary>Host time spent in the steps' metric work (the updates and the Log calls), in Stopwatch ticks.</summary>
    public long MetricTicks { get; private set; }

    /// <summary>The number of training steps run.</summary>
    public long Steps { get; private set; }

    public override Tensor forward(Tensor images) => output.forward(nn.functional.relu(hidden.forward(images.flatten(1))));

    [TrainingStep]
    public Tensor TrainingStep(ImageBatch batch)
    {
        var logits = forward(batch.Images);
        var started = Stopwatch.GetTimestamp();
        switch (logging)
        {
            case MetricLogging.PrecomputedTensors:
                Log("train_acc", precomputed, onStep: false, onEpoch: true);
                Log("train_f1", precomputed, onStep: false, onEpoch: true);
                break;
            case MetricLogging.MetricObjects:
                accuracy.Update(logits, batch.Labels);
                f1.Update(logits, batch.Labels);
                Log("train_acc", accuracy, onStep: false, onEpoch: true);
                Log("train_f1", f1, onStep: false, onEpoch: true);
                break;
            case MetricLogging.MetricCollection:
                collection.Update(logits, batch.Labels);
                Log("train_acc", collection["train_acc"], onStep: false, onEpoch: true);
                Log("train_f1", collection["train_f1"], onStep: false, onEpoch: true);
                break;
        }

        MetricTicks += Stopwatch.GetTimestamp() - started;
        Steps++;
        return nn.functional.cross_entropy(logits, batch.Labels);
    }

    [ConfigureOptimizers]
    public optim.Optimizer ConfigureOptimizers() => optim.Adam(parameters(), learningRate);

    /// <summary>Updates both metrics <paramref name="steps"/> times with one batch, each in its own dispose scope as in a step (the isolated host cost).</summary>
    public void UpdateMetrics(Tensor logits, Tensor labels, int steps)
    {
        for (var i = 0; i < steps; i++)
        {
            using var scope = torch.NewDisposeScope();
            if (logging == MetricLogging.MetricCollection)
            {
                collection.Update(logits, labels);
            }
            else
            {
                accuracy.Update(logits, labels);
                f1.Update(logits, labels);
            }
        }
    }
}
