using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using Volt.Callbacks;
using Volt.Metrics.Classification;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Metrics;

using Average = Volt.Metrics.Classification.Average;

/// <summary>A 3-class linear classifier that logs metric objects and records what each step predicted, to recompute the metrics independently.</summary>
[Monitor("val_f1", MonitorMode.Max)]
public sealed partial class MetricClassifier(double learningRate = 0.5) : nn.Module<Tensor, Tensor>("metric_classifier")
{
    private readonly Linear linear = nn.Linear(4, 3);
    private readonly F1Score trainF1 = new(ClassificationTask.Multiclass(3), Average.Macro);
    private readonly Accuracy trainAccuracy = new(ClassificationTask.Multiclass(3));
    private readonly F1Score validationF1 = new(ClassificationTask.Multiclass(3), Average.Macro);

    /// <summary>Predicted and true labels of every training batch, one list per epoch (a resumed run starts a new list).</summary>
    public List<List<(int[] Predicted, int[] Target)>> TrainEpochs { get; } = [];

    /// <summary>Predicted and true labels of every validation batch, one list per validation run (sanity checks included).</summary>
    public List<List<(int[] Predicted, int[] Target)>> ValidationRuns { get; } = [];

    /// <summary>The batch accuracy Forward returned in each training step.</summary>
    public List<double> StepAccuracies { get; } = [];

    public override Tensor forward(Tensor input) => linear.forward(input);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch, int batchIndex)
    {
        var logits = forward(batch.X);
        if (batchIndex == 0 || TrainEpochs.Count == 0)
        {
            TrainEpochs.Add([]);
        }

        TrainEpochs[^1].Add(Labels(logits, batch.Y));
        trainF1.Update(logits, batch.Y);
        Log("train_f1", trainF1, onStep: false, onEpoch: true);
        StepAccuracies.Add(trainAccuracy.Forward(logits, batch.Y).item<double>());
        Log("train_acc", trainAccuracy);
        return nn.functional.cross_entropy(logits, batch.Y);
    }

    [ValidationStep]
    private void ValidationStep(XYBatch batch, int batchIndex)
    {
        var logits = forward(batch.X);
        if (batchIndex == 0)
        {
            ValidationRuns.Add([]);
        }

        ValidationRuns[^1].Add(Labels(logits, batch.Y));
        validationF1.Update(logits, batch.Y);
        Log("val_f1", validationF1, progressBar: true);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), learningRate);

    private static (int[], int[]) Labels(Tensor logits, Tensor target)
        => (logits.argmax(1).data<long>().Select(v => (int)v).ToArray(), target.data<long>().Select(v => (int)v).ToArray());
}

/// <summary>Logs a metric only per step after Update, which has no batch value: a mistake Volt names.</summary>
public sealed partial class UpdateOnlyStepLogger : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear = nn.Linear(4, 3);
    private readonly Accuracy accuracy = new(ClassificationTask.Multiclass(3));

    public UpdateOnlyStepLogger()
        : base("update_only")
    {
    }

    public override Tensor forward(Tensor input) => linear.forward(input);

    [TrainingStep]
    private Tensor TrainingStep(XYBatch batch)
    {
        var logits = forward(batch.X);
        accuracy.Update(logits, batch.Y);
        Log("train_acc", accuracy);
        return nn.functional.cross_entropy(logits, batch.Y);
    }

    [ConfigureOptimizers]
    private optim.Optimizer ConfigureOptimizers() => optim.SGD(parameters(), 0.1);
}

/// <summary>Records the metric values callbacks see at each epoch end.</summary>
public sealed class MetricRecorder : Callback
{
    public List<double> ValidationF1 { get; } = [];

    public List<double> TrainF1 { get; } = [];

    public override void OnValidationEpochEnd(CallbackContext context)
    {
        if (!context.IsSanityChecking)
        {
            ValidationF1.Add(context.CallbackMetrics["val_f1"]);
        }
    }

    public override void OnTrainEpochEnd(CallbackContext context) => TrainF1.Add(context.CallbackMetrics["train_f1"]);
}

/// <summary>Labelled 3-class data: the class is the largest of the first three features.</summary>
internal static class ClassData
{
    public static (Tensor X, Tensor Y) Create(int count, long seed = 5)
    {
        using var generator = new Generator((ulong)seed);
        var x = randn([count, 4], generator: generator);
        var y = x.narrow(1, 0, 3).argmax(1);
        return (x.DetachFromDisposeScope(), y.DetachFromDisposeScope());
    }
}
