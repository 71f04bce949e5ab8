using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Volt.Callbacks;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>ModelCheckpoint and EarlyStopping against Lightning's rules, with scripted metric values.</summary>
public sealed class CallbackTests() : TrainingTest(samples: 64)
{
    private Trainer Fit(double[] scores, int epochs, params Callback[] callbacks)
    {
        using var module = new ScriptedModule { Scores = scores };
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var trainer = new Trainer(Root.Options(epochs) with { RunName = "cb", NumSanityValSteps = 0 }, callbacks: callbacks);
        trainer.Fit(module, train, validation);
        return trainer;
    }

    [Theory]
    [InlineData("{epoch:02d}-{score:.4f}", true, "epoch=03-score=0.8765")]
    [InlineData("{epoch:02d}-{score:.4f}", false, "03-0.8765")]
    [InlineData(null, true, "epoch=3-step=120")]
    [InlineData("best-{missing}", true, "best-missing=0")]
    [InlineData("{score:.3e}", true, "score=8.765e-01")]
    [InlineData("{step:06d}", true, "step=000120")]
    [InlineData("run/{epoch}", true, "run/epoch=3")]
    public void FileNamesFollowLightningsRules(string? template, bool autoInsert, string expected)
    {
        var metrics = new Dictionary<string, double> { ["epoch"] = 3, ["step"] = 120, ["score"] = 0.87654 };
        Assert.Equal(expected, ModelCheckpoint.FormatName(template, metrics, autoInsert));
    }

    [Fact]
    public void TopKKeepsTheBestFilesAndExposesTheBest()
    {
        var checkpoint = new ModelCheckpoint { Monitor = "score", Mode = MonitorMode.Max, SaveTopK = 2, Filename = "{epoch}-{score:.2f}" };
        Fit([0.1, 0.5, 0.3, 0.9, 0.2], epochs: 5, checkpoint);

        var directory = Path.GetDirectoryName(checkpoint.BestModelPath)!;
        var files = Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["epoch=1-score=0.50.ckpt", "epoch=3-score=0.90.ckpt", "last.ckpt"], files);
        Assert.EndsWith("epoch=3-score=0.90.ckpt", checkpoint.BestModelPath);
        Assert.Equal(0.9, checkpoint.BestModelScore);
        Assert.EndsWith("last.ckpt", checkpoint.LastModelPath);
    }

    [Fact]
    public void TheModulesMonitorIsTheDefault()
    {
        var checkpoint = new ModelCheckpoint();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var trainer = new Trainer(Root.Options(2), callbacks: [checkpoint]);
        trainer.Fit(module, train, validation);
        Assert.NotNull(checkpoint.BestModelScore);
        Assert.True(checkpoint.BestModelScore <= trainer.CallbackMetrics["val_loss"]);
    }

    [Fact]
    public void CollisionsGetVersionSuffixes()
    {
        var keepAll = new ModelCheckpoint { Monitor = "score", SaveTopK = -1, Filename = "fixed", SaveLast = false };
        Fit([0.3, 0.2, 0.1], epochs: 3, keepAll);
        var directory = Path.GetDirectoryName(keepAll.BestModelPath)!;
        Assert.Equal(["fixed-v1.ckpt", "fixed-v2.ckpt", "fixed.ckpt"], Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).Order().ToArray());
    }

    [Fact]
    public void NeverLoggedMonitorFailsAtTheFirstValidationListingLoggedMetrics()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Fit([0.1, 0.2], epochs: 2, new ModelCheckpoint { Monitor = "val_acc" }));
        Assert.Contains("'val_acc'", error.Message);
        Assert.Contains("epoch 0", error.Message);
        Assert.Contains("score", error.Message);
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceChecksWithoutImprovement()
    {
        var stopping = new EarlyStopping { Monitor = "score", Mode = MonitorMode.Min, Patience = 2 };
        var trainer = Fit([1.0, 0.9, 0.95, 0.96, 0.5, 0.4], epochs: 6, stopping);
        Assert.Equal(3, stopping.StoppedEpoch);
        Assert.Equal(4, trainer.CurrentEpoch);
        Assert.Equal(0.9, stopping.BestScore);
        Assert.Contains("did not improve in the last 2 checks", stopping.StopReason);
    }

    [Fact]
    public void MinDeltaDecidesWhatCountsAsImprovement()
    {
        var stopping = new EarlyStopping { Monitor = "score", Mode = MonitorMode.Max, Patience = 1, MinDelta = 0.1 };
        Fit([0.5, 0.55, 0.9], epochs: 3, stopping);
        Assert.Equal(1, stopping.StoppedEpoch);
    }

    [Fact]
    public void ThresholdsStopAtOnce()
    {
        var good = new EarlyStopping { Monitor = "score", Mode = MonitorMode.Max, StoppingThreshold = 0.8, Patience = 10 };
        Fit([0.5, 0.85, 0.9], epochs: 3, good);
        Assert.Equal(1, good.StoppedEpoch);
        Assert.Contains("stopping threshold", good.StopReason);

        var diverging = new EarlyStopping { Monitor = "score", Mode = MonitorMode.Min, DivergenceThreshold = 10, Patience = 10 };
        Fit([1, 2, 50, 1], epochs: 4, diverging);
        Assert.Equal(2, diverging.StoppedEpoch);
        Assert.Contains("divergence threshold", diverging.StopReason);
    }

    [Fact]
    public void NonFiniteMetricStopsNamingMetricAndEpochAndTheBestCheckpointSurvives()
    {
        var checkpoint = new ModelCheckpoint { Monitor = "score", Mode = MonitorMode.Min };
        var stopping = new EarlyStopping { Monitor = "score", Mode = MonitorMode.Min, Patience = 5 };
        Fit([0.4, 0.3, double.NaN, 0.1], epochs: 4, stopping, checkpoint);

        Assert.Equal(2, stopping.StoppedEpoch);
        Assert.Contains("score", stopping.StopReason);
        Assert.Contains("epoch 2", stopping.StopReason);
        Assert.Contains("not finite", stopping.StopReason);
        Assert.Equal(0.3, checkpoint.BestModelScore);
        Assert.True(File.Exists(checkpoint.BestModelPath));
        Assert.EndsWith("epoch=1-step=8.ckpt", checkpoint.BestModelPath);
    }

    [Fact]
    public void CallbacksRunInOrderWithCheckpointsLastAndSeeEveryHook()
    {
        var recorder = new RecordingCallback();
        var trainer = new Trainer(Root.Options(1) with { NumSanityValSteps = 0 }, callbacks: [new ModelCheckpoint(), recorder]);
        Assert.IsType<RecordingCallback>(trainer.Callbacks[0]);
        Assert.IsType<ModelCheckpoint>(trainer.Callbacks[1]);

        using var module = new ScriptedModule { Scores = [0.5] };
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        trainer.Fit(module, train, validation);
        Assert.Equal(
            ["FitStart", "TrainEpochStart", "TrainBatchStart", "BeforeBackward", "AfterBackward", "BeforeOptimizerStep", "TrainBatchEnd",
             "TrainBatchStart", "BeforeBackward", "AfterBackward", "BeforeOptimizerStep", "TrainBatchEnd",
             "ValidationEpochStart", "ValidationBatchStart", "ValidationBatchEnd", "ValidationEpochEnd", "SaveCheckpoint", "SaveCheckpoint", "TrainEpochEnd", "FitEnd"],
            recorder.Events);
    }

    [Fact]
    public void DuplicateCallbackStateKeysAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions(), callbacks: [new EarlyStopping(), new EarlyStopping()]));
        Assert.Contains("EarlyStopping", error.Message);
        Assert.Contains("Callbacks", error.Message);
    }


    private sealed class RecordingCallback : Callback
    {
        public List<string> Events { get; } = [];

        public override void OnFitStart(CallbackContext context) => Events.Add("FitStart");

        public override void OnFitEnd(CallbackContext context) => Events.Add("FitEnd");

        public override void OnTrainEpochStart(CallbackContext context) => Events.Add("TrainEpochStart");

        public override void OnTrainEpochEnd(CallbackContext context) => Events.Add("TrainEpochEnd");

        public override void OnTrainBatchStart(CallbackContext context, int batchIndex) => Events.Add("TrainBatchStart");

        public override void OnTrainBatchEnd(CallbackContext context, int batchIndex) => Events.Add("TrainBatchEnd");

        public override void OnBeforeBackward(CallbackContext context, Tensor loss) => Events.Add("BeforeBackward");

        public override void OnAfterBackward(CallbackContext context) => Events.Add("AfterBackward");

        public override void OnBeforeOptimizerStep(CallbackContext context, optim.Optimizer optimizer) => Events.Add("BeforeOptimizerStep");

        public override void OnValidationEpochStart(CallbackContext context) => Events.Add("ValidationEpochStart");

        public override void OnValidationEpochEnd(CallbackContext context) => Events.Add("ValidationEpochEnd");

        public override void OnValidationBatchStart(CallbackContext context, int batchIndex) => Events.Add("ValidationBatchStart");

        public override void OnValidationBatchEnd(CallbackContext context, int batchIndex) => Events.Add("ValidationBatchEnd");

        public override void OnSaveCheckpoint(CallbackContext context, string path) => Events.Add("SaveCheckpoint");
    }
}
