using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Volt.Callbacks;
using Volt.Checkpoints;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;
using static Volt.Runtime.Tests.Metrics.MetricAssert;
using static Volt.Runtime.Tests.Metrics.ReferenceMetrics;

namespace Volt.Runtime.Tests.Metrics;

using Average = Volt.Metrics.Classification.Average;

/// <summary>Log of metric objects under the trainer: epoch values, resets, accumulation, validation intervals, resume.</summary>
public sealed class MetricLoggingTests : IDisposable
{
    private readonly TempRoot root = new();
    private readonly Tensor x;
    private readonly Tensor y;

    public MetricLoggingTests()
    {
        (x, y) = ClassData.Create(60);
    }

    public void Dispose()
    {
        x.Dispose();
        y.Dispose();
        root.Dispose();
    }

    /// <summary>Macro F1 of the recorded batches, from the written-out definition.</summary>
    private static double MacroF1(IEnumerable<(int[] Predicted, int[] Target)> batches)
    {
        var predicted = batches.SelectMany(b => b.Predicted).ToArray();
        var target = batches.SelectMany(b => b.Target).ToArray();
        var (tp, fp, _, fn) = Counts(predicted, target, 3);
        var f1 = PerClass(c => Divide(2 * tp[c], (2 * tp[c]) + fp[c] + fn[c]), 3);
        return Averaged(f1, Average.Macro, tp, fp, fn);
    }

    [Fact]
    public void AValidationRunLogsTheMetricOfAllItsBatchesAndResetsIt()
    {
        Seeding.SeedEverything(1);
        using var module = new MetricClassifier();

        // Batches of 16, 16, 16 and 12 samples.
        using var loader = TestData.Loader(x, y, batchSize: 16, shuffle: false);
        var trainer = new Trainer(root.Options(maxEpochs: 1));
        var first = trainer.Validate(module, loader);
        Close(MacroF1(module.ValidationRuns[0]), first["val_f1"], 1e-12);

        // The second run starts from an empty metric: the same data gives the same value.
        var second = trainer.Validate(module, loader);
        Close(first["val_f1"], second["val_f1"], 1e-12);
        Assert.Equal(2, module.ValidationRuns.Count);
    }

    [Fact]
    public void TrainingAndValidationMetricsCoverTheirOwnBatchesUnderAccumulationAndValCheckInterval()
    {
        Seeding.SeedEverything(2);
        using var module = new MetricClassifier();
        using var train = TestData.Loader(x, y, batchSize: 10, shuffle: true, seed: 4);
        using var validation = TestData.Loader(x.narrow(0, 0, 25), y.narrow(0, 0, 25), batchSize: 10, shuffle: false);
        var recorder = new MetricRecorder();
        var trainer = new Trainer(root.Options(maxEpochs: 2) with
        {
            AccumulateGradBatches = 2,
            ValCheckInterval = 3,
        }, callbacks: [recorder]);
        trainer.Fit(module, train, validation);

        // Six batches per epoch, validation after batches 3 and 6: four runs after the sanity check.
        var runs = module.ValidationRuns.Skip(1).ToList();
        Assert.Equal(4, runs.Count);
        Assert.Equal(4, recorder.ValidationF1.Count);
        for (var i = 0; i < runs.Count; i++)
        {
            Close(MacroF1(runs[i]), recorder.ValidationF1[i], 1e-12, $"validation run {i}");
        }

        // Each epoch's training F1 covers that epoch's batches only (the metric is reset between epochs).
        Assert.Equal(2, module.TrainEpochs.Count);
        for (var epoch = 0; epoch < 2; epoch++)
        {
            Close(MacroF1(module.TrainEpochs[epoch]), recorder.TrainF1[epoch], 1e-12, $"epoch {epoch}");
        }

        Assert.NotEqual(MacroF1(module.TrainEpochs.SelectMany(e => e)), recorder.TrainF1[1]);

        // A per-step metric logged after Forward shows the last batch's value.
        Close(module.StepAccuracies[^1], trainer.CallbackMetrics["train_acc"], 1e-12);
    }

    [Fact]
    public void LoggingPerStepAfterOnlyUpdateIsAnError()
    {
        using var module = new UpdateOnlyStepLogger();
        using var train = TestData.Loader(x, y, batchSize: 20, shuffle: false);
        var error = Assert.Throws<InvalidOperationException>(() => new Trainer(root.Options(maxEpochs: 1)).Fit(module, train));
        Assert.Contains("train_acc", error.Message);
        Assert.Contains("Forward", error.Message);
    }

    private (List<double> TrainF1, string Weights) Fit(long maxSteps, string directory, string? ckptPath, int initSeed)
    {
        Seeding.SeedEverything(initSeed);
        using var module = new MetricClassifier();
        using var train = TestData.Loader(x, y, batchSize: 10, shuffle: true);
        using var validation = TestData.Loader(x.narrow(0, 0, 20), y.narrow(0, 0, 20), batchSize: 10, shuffle: false);
        var recorder = new MetricRecorder();
        var trainer = new Trainer(root.Options(maxEpochs: 2) with
        {
            Seed = 8,
            MaxSteps = maxSteps,
        }, callbacks: [recorder, new ModelCheckpoint { DirPath = directory, EveryNTrainSteps = 4, SaveTopK = 0 }]);
        trainer.Fit(module, train, validation, ckptPath);
        return (recorder.TrainF1, ModelFingerprint.Sha256(module));
    }

    [Fact]
    public void AMidEpochResumeComputesTheSameEpochMetricAsAnUninterruptedRun()
    {
        var (uninterrupted, weights) = Fit(maxSteps: -1, Path.Combine(root.Path, "a"), ckptPath: null, initSeed: 3);

        // Stop after 9 steps: last.ckpt is from step 8, batch 2 of epoch 1's six.
        var directory = Path.Combine(root.Path, "b");
        Fit(maxSteps: 9, directory, ckptPath: null, initSeed: 3);
        using (var checkpoint = CheckpointReader.Open(Path.Combine(directory, "last.ckpt")))
        {
            var loop = checkpoint.Root.GetProperty("loop");
            Assert.Equal(2, loop.GetProperty("nextBatchIndex").GetInt32());
            Assert.Equal(2, checkpoint.Root.GetProperty("metrics").GetProperty("trainF1").GetProperty("updateCount").GetInt64());
        }

        var (resumed, resumedWeights) = Fit(maxSteps: -1, directory, Path.Combine(directory, "last.ckpt"), initSeed: 77);
        Assert.Equal(weights, resumedWeights);
        Assert.Single(resumed);
        Close(uninterrupted[1], resumed[0], 1e-12, "epoch 1 train F1");
    }
}
