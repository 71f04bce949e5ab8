using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TensorBoardReference.Hparams;
using Volt.Logging;
using Volt.Logging.TensorBoard;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Logging;

public sealed class TensorBoardLoggerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 1, 2, 3, 4, 5, 250, TimeSpan.Zero);
    private readonly TempRoot root = new();

    public TensorBoardLoggerTests() => Directory.CreateDirectory(root.Path);

    [Fact]
    public void MaskedCrcMatchesTheCheckValues()
    {
        var text = Encoding.ASCII.GetBytes("123456789");
        Assert.Equal(0xE3069283u, EventFileReader.Crc32C(text));
        Assert.Equal(0xE3069283u, TfRecordWriter.Crc32C(text));
        Assert.Equal(0xC78AB0E5u, TfRecordWriter.MaskedCrc32C(text));
        var longer = Enumerable.Range(0, 1000).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(EventFileReader.MaskedCrc32C(longer), TfRecordWriter.MaskedCrc32C(longer));
    }

    [Fact]
    public void FileStartsWithItsVersionAndHoldsScalarsAtTheirSteps()
    {
        var clock = new ManualClock(Start);
        var logger = new TensorBoardLogger(clock);
        logger.Open(root.Path);
        clock.Advance(TimeSpan.FromSeconds(1.5));
        logger.LogMetrics(new Dictionary<string, double> { ["train_loss"] = 0.5 }, 49);
        logger.LogMetrics(new Dictionary<string, double> { ["train_loss"] = 0.375, ["val_acc"] = 0.875 }, 99);
        logger.Flush();

        // Flush alone makes the events readable: the file is still open.
        var events = EventFileReader.ReadSingle(root.Path);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Equal((Start - DateTimeOffset.UnixEpoch).TotalSeconds, events[0].WallTime, tolerance: 1e-6);
        Assert.False(string.IsNullOrEmpty(events[0].SourceMetadata.Writer));
        Assert.Equal([("train_loss", 49L, 0.5f), ("train_loss", 99L, 0.375f), ("val_acc", 99L, 0.875f)], EventFileReader.Scalars(events));
        Assert.Equal((Start - DateTimeOffset.UnixEpoch).TotalSeconds + 1.5, events[1].WallTime, tolerance: 1e-6);
        Assert.Matches(@"^events\.out\.tfevents\.\d{10}\..+\.\d+\.0$", Path.GetFileName(logger.FilePath));
        logger.Finish(RunStatus.Success);
    }

    [Fact]
    public void HyperparametersReachTheHparamsPluginWithTheRunOutcome()
    {
        var logger = new TensorBoardLogger(new ManualClock(Start));
        logger.Open(root.Path);
        logger.LogHyperparameters(new Dictionary<string, object?>
        {
            ["lr"] = 0.01, ["batch_size"] = 64L, ["optimizer"] = "adam", ["shuffle"] = true, ["scheduler"] = null,
        });
        logger.LogMetrics(new Dictionary<string, double> { ["train_loss"] = 0.5, ["val_acc"] = 0.75 }, 10);
        logger.Finish(RunStatus.Failed);

        var events = EventFileReader.ReadSingle(root.Path);
        var start = Assert.Single(EventFileReader.PluginData(events, "_hparams_/session_start_info")).SessionStartInfo;
        Assert.Equal(["batch_size", "lr", "optimizer", "shuffle"], start.Hparams.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.01, start.Hparams["lr"].NumberValue, tolerance: 1e-12);
        Assert.Equal(64.0, start.Hparams["batch_size"].NumberValue);
        Assert.Equal("adam", start.Hparams["optimizer"].StringValue);
        Assert.True(start.Hparams["shuffle"].BoolValue);

        var experiment = Assert.Single(EventFileReader.PluginData(events, "_hparams_/experiment")).Experiment;
        Assert.Equal(
            [("lr", DataType.Float64), ("batch_size", DataType.Float64), ("optimizer", DataType.String), ("shuffle", DataType.Bool)],
            experiment.HparamInfos.Select(h => (h.Name, h.Type)));
        Assert.Equal(["train_loss", "val_acc"], experiment.MetricInfos.Select(m => m.Name.Tag));

        var end = Assert.Single(EventFileReader.PluginData(events, "_hparams_/session_end_info")).SessionEndInfo;
        Assert.Equal(Status.Failure, end.Status);

        // The session start comes before the scalars, the end after them.
        var order = events.Select(e => e.Summary?.Value.Single().Tag).ToList();
        Assert.Equal([null, "_hparams_/session_start_info", "train_loss", "val_acc", "_hparams_/experiment", "_hparams_/session_end_info"], order);
    }

    [Fact]
    public void FinishClosesTheFileAndALaterCallStartsAnother()
    {
        var logger = new TensorBoardLogger(new ManualClock(Start));
        logger.Open(root.Path);
        logger.LogMetrics(new Dictionary<string, double> { ["a"] = 1 }, 0);
        logger.Finish(RunStatus.Success);
        var first = logger.FilePath!;
        using (new FileStream(first, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
        }

        logger.LogMetrics(new Dictionary<string, double> { ["a"] = 2 }, 5);
        logger.Finish(RunStatus.Success);
        Assert.NotEqual(first, logger.FilePath);
        Assert.Equal([("a", 0L, 1f)], EventFileReader.Scalars(EventFileReader.ReadAll(first)));
        var second = EventFileReader.ReadAll(logger.FilePath!);
        Assert.Equal("brain.Event:2", second[0].FileVersion);
        Assert.Equal([("a", 5L, 2f)], EventFileReader.Scalars(second));
    }

    [Fact]
    public void AnUnsupportedHyperparameterIsNamed()
    {
        var logger = new TensorBoardLogger();
        logger.Open(root.Path);
        var error = Assert.Throws<ArgumentException>(() => logger.LogHyperparameters(new Dictionary<string, object?> { ["shape"] = new[] { 1, 2 } }));
        Assert.Contains("'shape'", error.Message);
        logger.Finish(RunStatus.Failed);
    }

    public void Dispose() => root.Dispose();
}
