using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using TorchSharp;
using Volt.Callbacks;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>Schedulers, several optimizers with manual optimization, and the learning-rate monitor.</summary>
public sealed class OptimizationTests() : TrainingTest(samples: 80)
{
    private const int BatchSize = 8; // 10 batches per epoch

    private LearningRateProbe FitScheduled(ScheduledRegression module, TrainerOptions options)
    {
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        var probe = new LearningRateProbe();
        new Trainer(options with { EnableCheckpointing = false }, callbacks: [probe]).Fit(module, train);
        return probe;
    }

    [Fact]
    public void StepIntervalSchedulerStepsOncePerOptimizerStepNotPerBatch()
    {
        using var module = new ScheduledRegression(SchedulerInterval.Step);
        var probe = FitScheduled(module, Root.Options(1) with { AccumulateGradBatches = 2 });

        // 10 batches, accumulating 2: 5 optimizer steps, so 5 halvings.
        Assert.Equal(0.1 * Math.Pow(0.5, 5), probe.RateAtEpochEnd[0], 1e-12);
    }

    [Fact]
    public void EpochIntervalSchedulerFollowsItsFrequency()
    {
        using var module = new ScheduledRegression(SchedulerInterval.Epoch, frequency: 2);
        var probe = FitScheduled(module, Root.Options(4));

        // Steps after epochs 1 and 3 (0-based): (epoch + 1) % 2 == 0.
        Tolerance.AllClose([0.1, 0.05, 0.05, 0.025], probe.RateAtEpochEnd, 1e-12);
    }

    [Fact]
    public void PlateauSchedulerReadsTheMonitoredMetricAtEpochEnd()
    {
        using var module = new PlateauRegression();
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        using var validation = TestData.Loader(X, Y, 40, shuffle: false);
        var probe = new LearningRateProbe();
        new Trainer(Root.Options(4) with { EnableCheckpointing = false, NumSanityValSteps = 0 }, callbacks: [probe]).Fit(module, train, validation);

        // The score never improves: with patience 0 each epoch after the first halves the rate.
        Tolerance.AllClose([0.1, 0.1, 0.05, 0.025], probe.RateAtEpochStart, 1e-12);
    }

    [Fact]
    public void PlateauWithoutAMonitorFailsBeforeTraining()
    {
        using var module = new PlateauRegression(monitor: null);
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        var trainer = new Trainer(Root.Options(1) with { EnableCheckpointing = false });
        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(module, train));
        Assert.Contains("ReduceLROnPlateau", error.Message);
        Assert.Contains("Monitor", error.Message);
        Assert.Equal(0, trainer.GlobalStep);
    }

    [Fact]
    public void ResumeReplaysTheSchedulerAndEndsBitIdentical()
    {
        string Run(long maxSteps, string? ckptPath, string directory, int initSeed)
        {
            Seeding.SeedEverything(initSeed);
            using var module = new ScheduledRegression(SchedulerInterval.Step, frequency: 3);
            using var train = TestData.Loader(X, Y, BatchSize, shuffle: true, seed: 2);
            var trainer = new Trainer(Root.Options(3) with
            {
                Seed = 2,
                MaxSteps = maxSteps,
            }, callbacks: [new ModelCheckpoint { DirPath = directory, EveryNTrainSteps = 7, SaveTopK = 0 }]);
            trainer.Fit(module, train, ckptPath);
            return ModelFingerprint.Sha256(module);
        }

        var uninterrupted = Run(-1, null, Path.Combine(Root.Path, "a"), 5);
        var directory = Path.Combine(Root.Path, "b");
        Run(17, null, directory, 5);
        var resumed = Run(-1, Path.Combine(directory, "last.ckpt"), directory, 99);
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void LearningRateMonitorLogsEveryOptimizersRate()
    {
        using var module = new ScheduledRegression(SchedulerInterval.Epoch);
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        var monitor = new LearningRateMonitor();
        var trainer = new Trainer(Root.Options(3) with { EnableCheckpointing = false, RunName = "lr" }, callbacks: [monitor]);
        trainer.Fit(module, train);

        var lines = File.ReadAllLines(Path.Combine(trainer.LogDir!, "metrics.csv"));
        var column = Array.IndexOf(lines[0].Split(','), "lr-SGD");
        Assert.True(column >= 0, "no lr-SGD column in " + lines[0]);
        var rates = lines.Skip(1).Select(l => l.Split(',')[column]).Where(v => v.Length > 0)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToList();
        Tolerance.AllClose([0.1, 0.05, 0.025], rates, 1e-12);
        Assert.Equal(0.025, monitor.LatestRates["lr-SGD"], 1e-12);
    }

    [Fact]
    public void ManualOptimizationStepsEachOptimizerInTheStep()
    {
        Seeding.SeedEverything(8);
        using var module = new TwoOptimizerModule();
        using var firstBefore = module.FirstWeight.clone();
        using var secondBefore = module.SecondWeight.clone();
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        var trainer = new Trainer(Root.Options(2) with { EnableCheckpointing = false });
        trainer.Fit(module, train);

        Assert.Equal(20, trainer.GlobalStep);
        Assert.Equal(Enumerable.Range(0, 10).Concat(Enumerable.Range(0, 10)), module.BatchIndices);
        Assert.False(module.FirstWeight.allclose(firstBefore));
        Assert.False(module.SecondWeight.allclose(secondBefore));
        Assert.True(trainer.CallbackMetrics.ContainsKey("first_loss"));
        Assert.Throws<InvalidOperationException>(() => module.ManualBackward(ones(1)));
    }

    [Fact]
    public void ManualOptimizationRejectsAccumulationAndClipping()
    {
        using var module = new TwoOptimizerModule();
        using var train = TestData.Loader(X, Y, BatchSize, shuffle: false);
        var error = Assert.Throws<ArgumentException>(() =>
            new Trainer(Root.Options(1) with { AccumulateGradBatches = 2, GradientClipVal = 1.0, EnableCheckpointing = false }).Fit(module, train));
        Assert.Contains("AccumulateGradBatches", error.Message);
        Assert.Contains("GradientClipVal", error.Message);
        Assert.Contains("manual optimization", error.Message);
    }

    private sealed class LearningRateProbe : Callback
    {
        public List<double> RateAtEpochEnd { get; } = [];

        public List<double> RateAtEpochStart { get; } = [];

        public override void OnTrainEpochStart(CallbackContext context) => RateAtEpochStart.Add(Rate(context));

        public override void OnTrainEpochEnd(CallbackContext context) => RateAtEpochEnd.Add(Rate(context));

        private static double Rate(CallbackContext context) => context.Optimizers[0].ParamGroups.First().LearningRate;
    }
}
