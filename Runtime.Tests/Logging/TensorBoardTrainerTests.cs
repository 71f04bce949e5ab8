using System;
using System.Globalization;
using System.IO;
using System.Linq;
using TensorBoardReference.Hparams;
using Volt.Callbacks;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Logging;

/// <summary>The default loggers under the trainer: the event file holds what metrics.csv holds, and the run's outcome.</summary>
public sealed class TensorBoardTrainerTests() : TrainingTest(samples: 64)
{
    [Fact]
    public void TheEventFileHoldsEveryValueOfMetricsCsvAtItsStep()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 32, shuffle: false);
        using var trainer = new Trainer(Root.Options(2) with { LogEveryNSteps = 2, EnableCheckpointing = false });
        trainer.Fit(module, train, validation);

        var events = EventFileReader.ReadSingle(trainer.LogDir!);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        var scalars = EventFileReader.Scalars(events);

        var expected = CsvValues(trainer.LogDir!);
        Assert.Contains(expected, e => e.Name == "train_loss_step" && e.Step == 1);
        Assert.Equal(expected.Count, scalars.Count);
        foreach (var (name, step, value) in expected)
        {
            Assert.Contains(scalars, s => s.Tag == name && s.Step == step && Math.Abs(s.Value - value) <= 1e-6 * Math.Max(1, Math.Abs(value)));
        }

        var end = Assert.Single(EventFileReader.PluginData(events, "_hparams_/session_end_info")).SessionEndInfo;
        Assert.Equal(Status.Success, end.Status);
        Assert.Single(EventFileReader.PluginData(events, "_hparams_/session_start_info"));
        var experiment = Assert.Single(EventFileReader.PluginData(events, "_hparams_/experiment")).Experiment;
        Assert.Contains(experiment.MetricInfos, m => m.Name.Tag == "val_loss");
    }

    [Fact]
    public void AFailedFitEndsTheSessionAsFailedAndClosesTheFile()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        using var trainer = new Trainer(Root.Options(1) with { LogEveryNSteps = 1, EnableCheckpointing = false }, callbacks: [new FailAtBatch(2)]);
        Assert.Throws<InvalidOperationException>(() => trainer.Fit(module, train));

        var path = Assert.Single(Directory.GetFiles(trainer.LogDir!, "events.out.tfevents.*"));
        using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
        }

        var events = EventFileReader.ReadAll(path);
        var loggedSteps = CsvValues(trainer.LogDir!).Where(v => v.Name == "train_loss_step").Select(v => v.Step).ToList();
        Assert.True(loggedSteps.Count >= 2, "the fit logged steps before it failed");
        Assert.Equal(loggedSteps, EventFileReader.Scalars(events).Where(s => s.Tag == "train_loss_step").Select(s => s.Step));
        var end = Assert.Single(EventFileReader.PluginData(events, "_hparams_/session_end_info")).SessionEndInfo;
        Assert.Equal(Status.Failure, end.Status);
    }

    /// <summary>Every non-empty cell of metrics.csv as (column, step, value).</summary>
    private static System.Collections.Generic.List<(string Name, long Step, double Value)> CsvValues(string runDirectory)
    {
        var csv = File.ReadAllLines(Path.Combine(runDirectory, "metrics.csv"));
        var header = csv[0].Split(',');
        return csv.Skip(1)
            .SelectMany(row =>
            {
                var cells = row.Split(',');
                var step = long.Parse(cells[0], CultureInfo.InvariantCulture);
                return header.Skip(1).Select((name, i) => (name, cell: cells[i + 1])).Where(c => c.cell.Length > 0)
                    .Select(c => (c.name, step, double.Parse(c.cell, CultureInfo.InvariantCulture)));
            })
            .ToList();
    }

    private sealed class FailAtBatch(int batchIndex) : Callback
    {
        public override void OnTrainBatchEnd(CallbackContext context, int index)
        {
            if (index == batchIndex)
            {
                throw new InvalidOperationException("boom");
            }
        }
    }
}
