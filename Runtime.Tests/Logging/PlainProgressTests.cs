using System;
using System.Collections.Generic;
using System.IO;
using Volt.Logging;
using Volt.Loops;

namespace Volt.Runtime.Tests.Logging;

/// <summary>The progress display without a terminal: exact lines, no control codes, Lightning's number format.</summary>
public sealed class PlainProgressTests
{
    [Theory]
    [InlineData(0.5, "0.500")]
    [InlineData(0.123456, "0.123")]
    [InlineData(1.0, "1.000")]
    [InlineData(12.0, "12.00")]
    [InlineData(100.0, "100.0")]
    [InlineData(1e-5, "1e-5")]
    [InlineData(123456.7, "1.23e+5")]
    [InlineData(double.NaN, "nan")]
    public void NumbersAreFormattedAsLightningsProgressBarDoes(double value, string expected)
        => Assert.Equal(expected, ProgressText.Number(value));

    [Fact]
    public void LinesArePeriodicPerPhaseAndFinalPerEpoch()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var output = new StringWriter { NewLine = "\n" };
        using var loss = new TrainingLoss();
        var metrics = new MetricCollector(RunPhase.Train);
        using var progress = new PlainProgress(output, clock, TimeSpan.FromSeconds(10));

        progress.OnTrainEpochStart(0, 5, 4);
        Batch(1, () => progress.OnTrainBatchEnd(0, 4, metrics, loss));
        clock.Advance(TimeSpan.FromSeconds(3));
        metrics.Log("acc", 0.5, onStep: true, onEpoch: false, progressBar: true, MetricReduce.Mean, batchSize: null);
        metrics.Log("hidden", 7.0, onStep: true, onEpoch: false, progressBar: false, MetricReduce.Mean, batchSize: null);
        Batch(8, () => progress.OnTrainBatchEnd(1, 4, metrics, loss));
        Batch(4, () => progress.OnTrainBatchEnd(2, 4, metrics, loss));
        Batch(4, () => progress.OnTrainBatchEnd(3, 4, metrics, loss));

        progress.OnEvaluationStart(RunPhase.Validation, 2);
        Batch(11, () => progress.OnEvaluationBatchEnd(RunPhase.Validation, 0, 2));
        Batch(1, () => progress.OnEvaluationBatchEnd(RunPhase.Validation, 1, 2));
        progress.OnEvaluationEnd(RunPhase.Validation);
        clock.Advance(TimeSpan.FromSeconds(8));
        progress.OnTrainEpochEnd(0, 5, new Dictionary<string, double> { ["val_loss"] = 0.25 }, loss);
        progress.OnMessage("Early stopping in epoch 0.");

        progress.OnEvaluationStart(RunPhase.Test, 3);
        for (var i = 0; i < 3; i++)
        {
            Batch(1, () => progress.OnEvaluationBatchEnd(RunPhase.Test, i, 3));
        }

        progress.OnEvaluationEnd(RunPhase.Test);

        Assert.Equal(
            "Epoch 0/4 2/4 [0:00:12 < 0:00:12, 0.17 it/s] acc: 0.500\n"
            + "Validation 1/2 [0:00:11 < 0:00:11, 0.09 it/s]\n"
            + "Epoch 0/4 4/4 [0:00:40 < 0:00:00, 0.10 it/s] val_loss: 0.250\n"
            + "Early stopping in epoch 0.\n"
            + "Testing 3/3 [0:00:03 < 0:00:00, 1.00 it/s]\n",
            output.ToString());

        void Batch(double seconds, Action end)
        {
            clock.Advance(TimeSpan.FromSeconds(seconds));
            end();
        }
    }

    [Fact]
    public void RedirectedOutputGetsThePlainDisplay()
    {
        using var progress = ProgressReporters.Create(new TrainerOptions(), new StringWriter());
        Assert.IsType<PlainProgress>(progress);
        using var silent = ProgressReporters.Create(new TrainerOptions { EnableProgressBar = false }, new StringWriter());
        Assert.IsType<SilentProgress>(silent);
    }

    [Fact]
    public void ARefreshRateMustBePositive()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainerOptions { ProgressRefreshRate = 0 }.Validate());
        Assert.Contains("ProgressRefreshRate is 0", error.Message);
    }
}
