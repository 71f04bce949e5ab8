using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using Volt.Logging;
using Volt.Loops;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Logging;

/// <summary>
/// A logged tensor's value is the value it had when <c>Log</c> was called, whichever step reads it: a
/// logger every N steps, the progress display at a refresh, the callback metrics at the epoch end.
/// </summary>
public sealed class LoggedValueTests : IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void TheValuesLoggedOnSteps50And100AreThoseStepsLosses()
    {
        Seeding.SeedEverything(3);
        using var module = new LossRecorder();
        var (x, y) = TestData.Linear(400);
        using var xs = x;
        using var ys = y;
        using var loader = TestData.Loader(x, y, batchSize: 4, shuffle: false);
        var logger = new RecordingLogger();
        var trainer = new Trainer(root.Options(maxEpochs: 1) with { EnableCheckpointing = false, LogEveryNSteps = 50 }, loggers: [logger]);
        trainer.Fit(module, loader);

        var stepRows = logger.Metrics.Where(m => m.Metrics.ContainsKey("train_loss")).ToList();
        Assert.Equal([49L, 99L], stepRows.Select(r => r.Step));
        Assert.Equal(module.Losses[49], stepRows[0].Metrics["train_loss"], 1e-12);
        Assert.Equal(module.Losses[99], stepRows[1].Metrics["train_loss"], 1e-12);
        Assert.NotEqual(module.Losses[48], module.Losses[49]);

        // The epoch end keeps the last step's value (training logs per step by default), as before.
        Assert.Equal(module.Losses[^1], trainer.CallbackMetrics["train_loss"], 1e-12);
    }

    [Fact]
    public void AValueChangedInPlaceAfterLogKeepsTheValueAtTheCall()
    {
        using var metrics = new MetricCollector(RunPhase.Train);
        metrics.BeginStep();
        using var running = tensor(new[] { 2.5f });
        metrics.Log("running", running, onStep: null, onEpoch: true, progressBar: true, MetricReduce.Mean, batchSize: null);
        running.add_(10);

        var step = new Dictionary<string, double>();
        metrics.CollectStepValues(step, progressBarOnly: true, currentStepOnly: true);
        var epoch = new Dictionary<string, double>();
        metrics.CollectEpochValues(epoch, progressBarOnly: false);
        Assert.Equal(2.5, step["running_step"], 1e-12);
        Assert.Equal(2.5, epoch["running_epoch"], 1e-12);
    }

    [Theory]
    [InlineData(ScalarType.Float64, 0.1)]
    [InlineData(ScalarType.Int64, 7.0)]
    [InlineData(ScalarType.Bool, 1.0)]
    [InlineData(ScalarType.BFloat16, 0.5)]
    [InlineData(ScalarType.Float16, 0.25)]
    public void EveryRealElementTypeIsReadAsItsValue(ScalarType type, double value)
    {
        using var metrics = new MetricCollector(RunPhase.Train);
        metrics.BeginStep();
        using (var scope = NewDisposeScope())
        {
            // Shape [1, 1]: any one-element shape is accepted.
            var logged = full(new long[] { 1, 1 }, value, dtype: ScalarType.Float64).to_type(type);
            metrics.Log("value", logged, onStep: null, onEpoch: true, progressBar: false, MetricReduce.Max, batchSize: null);
        }

        var epoch = new Dictionary<string, double>();
        metrics.CollectEpochValues(epoch, progressBarOnly: false);
        Assert.Equal(value, epoch["value_epoch"], 1e-12);
    }

    [Fact]
    public void AComplexValueIsRefusedNamingTheMetric()
    {
        using var metrics = new MetricCollector(RunPhase.Train);
        using var value = complex(tensor(new[] { 1f }), tensor(new[] { 2f }));
        var error = Assert.Throws<ArgumentException>(() => metrics.Log("phase", value, onStep: null, onEpoch: null, progressBar: false, MetricReduce.Mean, batchSize: null));
        Assert.Contains("Log(\"phase\")", error.Message);
        Assert.Contains("complex", error.Message);
    }

    [Fact]
    public void ProgressShowsTheLatestValueAtEachRefreshAfterTheStepsTensorsAreFreed()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var output = new StringWriter { NewLine = "\n" };
        using var loss = new TrainingLoss();
        using var metrics = new MetricCollector(RunPhase.Train);
        using var progress = new PlainProgress(output, clock, TimeSpan.FromSeconds(10));
        var context = TrainingLossContext();
        progress.OnTrainEpochStart(0, 1, 10);
        float[] values = [0.75f, 0.5f, 0.125f];
        for (var batch = 0; batch < values.Length; batch++)
        {
            // Each step's tensors are freed when its dispose scope ends, before the next step.
            using (NewDisposeScope())
            {
                metrics.BeginStep();
                var stepLoss = tensor(new[] { values[batch] }).sum();
                metrics.Log("train_loss", stepLoss, onStep: null, onEpoch: null, progressBar: true, MetricReduce.Mean, batchSize: null);
                loss.Observe(stepLoss, context);
            }

            // Batches 0 and 2 are 10 s apart from the previous line: they refresh.
            clock.Advance(TimeSpan.FromSeconds(batch == 1 ? 1 : 10));
            progress.OnTrainBatchEnd(batch, 10, metrics, loss);
        }

        Assert.Equal(
            "Epoch 0/0 1/10 [0:00:10 < 0:01:30, 0.10 it/s] loss: 0.750 train_loss: 0.750\n"
            + "Epoch 0/0 3/10 [0:00:21 < 0:00:49, 0.14 it/s] loss: 0.125 train_loss: 0.125\n",
            output.ToString());
    }

    /// <summary>A run context for <see cref="TrainingLoss.Observe"/>, which reads only the options and counters.</summary>
    private static RunContext TrainingLossContext()
        => new(new TrainerOptions(), null!, null!, new LossRecorder(), 0, [], new SilentProgress(), [], [], null, new LoopProgress(), profiler: null);

    public void Dispose() => root.Dispose();
}
