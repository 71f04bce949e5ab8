using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Volt.Callbacks;
using Volt.Runtime.Tests.Checkpoints;

namespace Volt.Runtime.Tests.Training;

/// <summary>
/// The plain (non-terminal) progress lines: Lightning's 0-based epoch numbers, the same numbers as in
/// checkpoint names and metrics.csv, and messages after the line of the epoch they belong to.
/// </summary>
public sealed class ProgressOutputTests() : TrainingTest(samples: 64)
{
    /// <summary>"Epoch 0/1 [0.1s]" and the progress-bar metrics, if any.</summary>
    private static Regex EpochLine(string epoch) => new($@"^Epoch {Regex.Escape(epoch)} \[[0-9.:s]+\]( \S+=\S+)*$");

    private static string[] Lines(StringWriter console) => console.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void EpochLinesCountFromZeroLikeCheckpointNamesAndMetricsCsv()
    {
        var console = new StringWriter();
        var checkpoint = new ModelCheckpoint { SaveTopK = -1, SaveLast = false };
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var trainer = new Trainer(Root.Options(2) with { EnableProgressBar = true, NumSanityValSteps = 0 }, callbacks: [checkpoint], console: console);
        trainer.Fit(module, train, validation);

        var lines = Lines(console);
        Assert.Equal(2, lines.Length);
        Assert.Matches(EpochLine("0/1"), lines[0]);
        Assert.Matches(EpochLine("1/1"), lines[1]);

        var files = Directory.GetFiles(Path.GetDirectoryName(checkpoint.BestModelPath)!).Select(f => Path.GetFileName(f)!).Order().ToArray();
        Assert.Equal(["epoch=0-step=2.ckpt", "epoch=1-step=4.ckpt"], files);

        var csv = File.ReadAllLines(Path.Combine(trainer.LogDir!, "metrics.csv"));
        var epochColumn = Array.IndexOf(csv[0].Split(','), "epoch");
        var epochs = csv.Skip(1).Select(row => row.Split(',')[epochColumn]).Where(value => value.Length > 0).Distinct().ToArray();
        Assert.Equal(["0", "1"], epochs);
    }

    [Fact]
    public void WithoutAnEpochLimitTheLineShowsOnlyTheEpoch()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: false);
        var trainer = new Trainer(Root.Options(1) with { MaxEpochs = null, MaxSteps = 3, EnableProgressBar = true, EnableCheckpointing = false }, console: console);
        trainer.Fit(module, train);

        Assert.Collection(
            Lines(console),
            line => Assert.Matches(EpochLine("0"), line),
            line => Assert.Matches(EpochLine("1"), line));
    }

    [Fact]
    public void TheEarlyStoppingMessageFollowsTheLineOfItsEpoch()
    {
        var console = new StringWriter();
        var stopping = new EarlyStopping { Monitor = "score", Mode = MonitorMode.Min, Patience = 1 };
        using var module = new ScriptedModule { Scores = [0.5, 0.7, 0.4, 0.3] };
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var trainer = new Trainer(Root.Options(4) with { EnableProgressBar = true, EnableCheckpointing = false, NumSanityValSteps = 0 }, callbacks: [stopping], console: console);
        trainer.Fit(module, train, validation);

        Assert.Collection(
            Lines(console),
            line => Assert.Matches(EpochLine("0/3"), line),
            line => Assert.Matches(EpochLine("1/3"), line),
            line => Assert.Equal("Early stopping in epoch 1: score did not improve in the last 1 checks. Best score was 0.5.", line));
    }

    [Fact]
    public void AStopRequestedMidEpochFollowsTheLineOfTheEpochItEnds()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: false);
        var trainer = new Trainer(Root.Options(3) with { EnableProgressBar = true, EnableCheckpointing = false }, callbacks: [new StopAfterBatch(1)], console: console);
        trainer.Fit(module, train);

        Assert.Collection(
            Lines(console),
            line => Assert.Matches(EpochLine("0/2"), line),
            line => Assert.Equal("stop requested in epoch 0", line));
    }

    /// <summary>Requests a stop in the middle of the first epoch.</summary>
    private sealed class StopAfterBatch(int batchIndex) : Callback
    {
        public override void OnTrainBatchEnd(CallbackContext context, int index)
        {
            if (index == batchIndex - 1)
            {
                context.RequestStop($"stop requested in epoch {context.CurrentEpoch}");
            }
        }
    }
}
