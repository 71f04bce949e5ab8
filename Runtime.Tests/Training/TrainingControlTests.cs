using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using Volt.Callbacks;
using Volt.Runtime.Tests.Checkpoints;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>The training-control options against Lightning's documented semantics.</summary>
public sealed class TrainingControlTests() : TrainingTest(samples: 80)
{
    // 80 samples in unshuffled batches of 8: 10 batches per epoch.
    private const int BatchSize = 8;

    private (string Fingerprint, StepProbe Probe, Trainer Trainer) FitRegression(TrainerOptions options)
    {
        Seeding.SeedEverything(21);
        using var module = new Regression(learningRate: 0.05);
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        var probe = new StepProbe();
        var trainer = new Trainer(options with { EnableCheckpointing = false }, callbacks: [probe]);
        trainer.Fit(module, train);
        return (ModelFingerprint.Sha256(module), probe, trainer);
    }

    /// <summary>The reference: a hand-written loop with accumulation windows and optional clipping.</summary>
    private string HandWritten(int epochs, int accumulate, Action<IEnumerable<TorchSharp.Modules.Parameter>>? clip = null)
    {
        Seeding.SeedEverything(21);
        using var module = new Regression(learningRate: 0.05);
        using var optimizer = optim.SGD(module.parameters(), 0.05);
        module.train();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            for (var batch = 0; batch < 10; batch++)
            {
                using var scope = NewDisposeScope();
                if (batch % accumulate == 0)
                {
                    optimizer.zero_grad();
                }

                var x = X.narrow(0, batch * BatchSize, BatchSize);
                var y = Y.narrow(0, batch * BatchSize, BatchSize);
                var loss = nn.functional.mse_loss(module.forward(x), y);
                (accumulate == 1 ? loss : loss / accumulate).backward();
                if ((batch + 1) % accumulate == 0 || batch == 9)
                {
                    clip?.Invoke(module.parameters());
                    optimizer.step();
                }
            }
        }

        return ModelFingerprint.Sha256(module);
    }

    [Fact]
    public void AccumulationStepsThreeTimesForTenBatchesAndAveragesLikeLightning()
    {
        var (fingerprint, probe, trainer) = FitRegression(Root.Options(1) with { AccumulateGradBatches = 4 });
        Assert.Equal(3, probe.OptimizerSteps);
        Assert.Equal(3, trainer.GlobalStep);
        Assert.Equal(HandWritten(epochs: 1, accumulate: 4), fingerprint);
        Assert.NotEqual(HandWritten(epochs: 1, accumulate: 1), fingerprint);
    }

    [Fact]
    public void NormClippingHappensOncePerOptimizerStepAfterAccumulation()
    {
        var (fingerprint, _, _) = FitRegression(Root.Options(2) with { AccumulateGradBatches = 2, GradientClipVal = 0.05 });
        Assert.Equal(HandWritten(epochs: 2, accumulate: 2, p => nn.utils.clip_grad_norm_(p, 0.05)), fingerprint);
        Assert.NotEqual(HandWritten(epochs: 2, accumulate: 2), fingerprint);
    }

    [Fact]
    public void ValueClippingClampsEachGradient()
    {
        var (fingerprint, _, _) = FitRegression(Root.Options(1) with { GradientClipVal = 0.01, GradientClipAlgorithm = GradientClipAlgorithm.Value });
        Assert.Equal(HandWritten(epochs: 1, accumulate: 1, p => nn.utils.clip_grad_value_(p, 0.01)), fingerprint);
    }

    [Fact]
    public void FractionLimitsFloorTheBatchCount()
    {
        var (_, probe, _) = FitRegression(Root.Options(2) with { LimitTrainBatches = 0.55 });
        Assert.Equal(2 * 5, probe.OptimizerSteps);
    }

    [Fact]
    public void MinEpochsDelaysAnEarlyStop()
    {
        var stopper = new StopAtOnce();
        Seeding.SeedEverything(21);
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        var trainer = new Trainer(Root.Options(10) with { MinEpochs = 3, EnableCheckpointing = false }, callbacks: [stopper]);
        trainer.Fit(module, train);
        Assert.Equal(3, trainer.CurrentEpoch);
    }

    [Theory]
    [InlineData(0.25, 1, 2, 8, 2 * 4)]    // a quarter of 8 batches: after batches 2, 4, 6, 8
    [InlineData(0.3, 1, 2, 10, 2 * 3)]    // 0.3 of 10: after batches 3, 6, 9 and not after 10 (Lightning's example)
    [InlineData(1.0, 1, 2, 10, 2)]        // the default: once, after the last batch
    [InlineData(3.0, 1, 2, 10, 2 * 3)]    // every 3 batches within the epoch: 3, 6, 9
    [InlineData(1.0, 2, 4, 10, 2)]        // only every second epoch
    public void ValidationFollowsValCheckIntervalAndCheckValEveryNEpoch(double interval, int everyNEpoch, int epochs, int trainBatches, int expectedValidations)
    {
        var valCheck = interval > 1 ? BatchLimit.Batches((int)interval) : BatchLimit.FractionOfBatches(interval);
        var runs = CountValidations(Root.Options(epochs) with
        {
            ValCheckInterval = valCheck,
            CheckValEveryNEpoch = everyNEpoch,
            LimitTrainBatches = trainBatches,
            NumSanityValSteps = 0,
        });
        Assert.Equal(expectedValidations, runs);
    }

    [Fact]
    public void AnIntervalWithoutEpochGatingCountsBatchesAcrossEpochs()
    {
        // 2 epochs of 10 batches, every 6 batches: after global batches 6, 12, 18.
        var runs = CountValidations(Root.Options(2) with { ValCheckInterval = 6, CheckValEveryNEpoch = null, NumSanityValSteps = 0 });
        Assert.Equal(3, runs);
    }

    [Fact]
    public void AnIntervalLongerThanTheEpochFailsBeforeTraining()
    {
        var error = Assert.Throws<ArgumentException>(() => CountValidations(Root.Options(1) with { ValCheckInterval = 11 }));
        Assert.Contains("ValCheckInterval", error.Message);
        Assert.Contains("10 training batches", error.Message);
    }

    [Fact]
    public void SanityCheckRunsTwoBatchesFirstAndKeepsNoMetrics()
    {
        var probe = new StepProbe();
        using var module = new ScriptedModule { Scores = [7, 1, 2] };
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 20, shuffle: false);
        var trainer = new Trainer(Root.Options(2) with { EnableCheckpointing = false }, callbacks: [probe]);
        trainer.Fit(module, train, validation);

        Assert.Equal(1, probe.ValidationRunsBeforeFirstStep);
        Assert.False(probe.MetricsAtFirstStep!.ContainsKey("score"));
        Assert.Equal(2, probe.SanityBatches);
        Assert.Equal(2.0, trainer.CallbackMetrics["score"]);
    }

    [Fact]
    public void FastDevRunRunsNBatchesOfEachPhaseAndWritesNothing()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        using var validation = TestData.Loader(X, Y, BatchSize, shuffle: false);
        var trainer = new Trainer(Root.Options(5) with { FastDevRun = 2 }, callbacks: [new ModelCheckpoint(), new EarlyStopping()]);
        trainer.Fit(module, train, validation);
        trainer.Test(module, validation);

        Assert.Equal(2, trainer.GlobalStep);
        Assert.Equal(2, module.TrainingModes.Count);
        Assert.Equal(2, module.ValidationModes.Count);
        Assert.Null(trainer.LogDir);
        Assert.False(Directory.Exists(Root.Path), "FastDevRun wrote to " + Root.Path);
    }

    [Fact]
    public void OverfitBatchesTrainsOnTheSameBatchesEveryEpoch()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: true, seed: 4);
        var trainer = new Trainer(Root.Options(3) with { OverfitBatches = 2, EnableCheckpointing = false });
        trainer.Fit(module, train);

        Assert.Equal(3 * 2, trainer.GlobalStep);
        var epochs = module.FirstInputs.Chunk(2).ToList();
        Assert.Equal(3, epochs.Count);
        Assert.All(epochs, epoch => Assert.Equal(epochs[0], epoch));
        Assert.NotEqual(epochs[0][0], epochs[0][1]);
    }

    [Fact]
    public void DeterministicIsOnDuringFitAndRestoredAfterwards()
    {
        var before = Determinism.IsEnabled;
        var (_, probe, _) = FitRegression(Root.Options(1) with { Deterministic = true });
        Assert.True(probe.DeterministicDuringFit);
        Assert.Equal(before, Determinism.IsEnabled);
    }

    private int CountValidations(TrainerOptions options)
    {
        using var module = new ScriptedModule { Scores = Enumerable.Repeat(1.0, 100).ToArray() };
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 40, shuffle: false);
        new Trainer(options with { EnableCheckpointing = false }).Fit(module, train, validation);
        return module.ValidationRuns;
    }

    private sealed class StopAtOnce : Callback
    {
        public override void OnTrainEpochEnd(CallbackContext context) => context.RequestStop("stop requested by the test");
    }

    private sealed class StepProbe : Callback
    {
        public int OptimizerSteps { get; private set; }

        public int ValidationRunsBeforeFirstStep { get; private set; } = -1;

        public IReadOnlyDictionary<string, double>? MetricsAtFirstStep { get; private set; }

        public int SanityBatches { get; private set; }

        public bool DeterministicDuringFit { get; private set; }

        private int validationRuns;

        public override void OnFitStart(CallbackContext context) => DeterministicDuringFit = Determinism.IsEnabled;

        public override void OnValidationEpochStart(CallbackContext context) => validationRuns++;

        public override void OnValidationBatchEnd(CallbackContext context, int batchIndex)
        {
            if (context.IsSanityChecking)
            {
                SanityBatches++;
            }
        }

        public override void OnTrainBatchStart(CallbackContext context, int batchIndex)
        {
            if (ValidationRunsBeforeFirstStep < 0)
            {
                ValidationRunsBeforeFirstStep = validationRuns;
                MetricsAtFirstStep = new Dictionary<string, double>(context.CallbackMetrics);
            }
        }

        public override void OnBeforeOptimizerStep(CallbackContext context, optim.Optimizer optimizer) => OptimizerSteps++;
    }
}
