using System;
using System.Linq;
using System.Text.Json;
using Volt.Checkpoints;
using Volt.Loops;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Loops;

/// <summary>The loop counters and their checkpoint record.</summary>
public sealed class LoopProgressTests : IDisposable
{
    private readonly TempRoot root = new();

    private string WriteCheckpoint(string name, Action<Utf8JsonWriter> manifest)
    {
        var path = System.IO.Path.Combine(root.Path, name + CheckpointFile.Extension);
        CheckpointFile.Write(path, manifest, [], []);
        return path;
    }

    private ResumePoint RoundTrip(LoopProgress progress, string name)
    {
        using var checkpoint = CheckpointReader.Open(WriteCheckpoint(name, progress.Write));
        return LoopProgress.ReadResumePoint(checkpoint);
    }

    /// <summary>Resumes at epoch 3, batch 2 of 10 (global step 41), then runs batches 2..5 with an optimizer step each.</summary>
    private static LoopProgress MidEpoch()
    {
        var progress = new LoopProgress();
        progress.StartFit();
        progress.ResumeFrom(new ResumePoint(Epoch: 3, GlobalStep: 41, BatchIndex: 2));
        progress.StartEpoch();
        progress.SetEpochLength(10);
        for (var batch = 2; batch <= 5; batch++)
        {
            progress.CompleteBatch(batch);
            progress.CompleteOptimizerStep();
        }

        return progress;
    }

    [Fact]
    public void AMidEpochPositionRoundTripsThroughACheckpoint()
    {
        var progress = MidEpoch();
        Assert.Equal(2, progress.FirstBatchIndex);
        Assert.Equal(4, progress.TotalTrainBatches);

        Assert.Equal(new ResumePoint(Epoch: 3, GlobalStep: 45, BatchIndex: 6), RoundTrip(progress, "mid"));
    }

    [Fact]
    public void AFinishedEpochResumesAtTheNextOne()
    {
        var progress = MidEpoch();
        for (var batch = 6; batch < 10; batch++)
        {
            progress.CompleteBatch(batch);
        }

        progress.CompleteValidation();
        Assert.True(progress.EpochFinished);

        Assert.Equal(new ResumePoint(Epoch: 4, GlobalStep: 45, BatchIndex: 0), RoundTrip(progress, "finished"));
    }

    [Fact]
    public void ValidationBeforeTheEpochsLastBatchDoesNotFinishIt()
    {
        var progress = MidEpoch();
        progress.CompleteValidation();
        Assert.False(progress.EpochFinished);
    }

    [Fact]
    public void TheManifestKeepsTheFormat2Layout()
    {
        using var checkpoint = CheckpointReader.Open(WriteCheckpoint("layout", MidEpoch().Write));
        var loop = checkpoint.Root.GetProperty("loop");
        Assert.Equal(["epoch", "globalStep", "nextBatchIndex", "epochFinished"], loop.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(3, loop.GetProperty("epoch").GetInt32());
        Assert.Equal(45, loop.GetProperty("globalStep").GetInt64());
        Assert.Equal(6, loop.GetProperty("nextBatchIndex").GetInt32());
        Assert.False(loop.GetProperty("epochFinished").GetBoolean());
    }

    [Theory]
    [InlineData(false, 2, 7)]
    [InlineData(true, 3, 0)]
    public void ACheckpointWrittenByEarlierCodeResumes(bool epochFinished, int expectedEpoch, int expectedBatch)
    {
        // The loop object exactly as Volt wrote it before LoopProgress existed (TrainingCheckpoint.Save, format 2).
        var path = WriteCheckpoint("v2", writer =>
        {
            writer.WriteStartObject("loop");
            writer.WriteNumber("epoch", 2);
            writer.WriteNumber("globalStep", 30);
            writer.WriteNumber("nextBatchIndex", 7);
            writer.WriteBoolean("epochFinished", epochFinished);
            writer.WriteEndObject();
        });
        using var checkpoint = CheckpointReader.Open(path);

        Assert.Equal(new ResumePoint(expectedEpoch, GlobalStep: 30, expectedBatch), LoopProgress.ReadResumePoint(checkpoint));
    }

    [Fact]
    public void AMissingCounterIsNamed()
    {
        var path = WriteCheckpoint("broken", writer =>
        {
            writer.WriteStartObject("loop");
            writer.WriteNumber("epoch", 2);
            writer.WriteBoolean("epochFinished", false);
            writer.WriteEndObject();
        });
        using var checkpoint = CheckpointReader.Open(path);

        var error = Assert.Throws<System.IO.InvalidDataException>(() => LoopProgress.ReadResumePoint(checkpoint));
        Assert.Contains("'loop.nextBatchIndex'", error.Message);
    }

    [Fact]
    public void AFitStartsItsPositionOverAndKeepsEpochAndStep()
    {
        var progress = MidEpoch();
        progress.AdvanceEpoch();
        progress.StartFit();

        Assert.Equal((4, 45L, 0, 0, 0L), (progress.CurrentEpoch, progress.GlobalStep, progress.NextBatchIndex, progress.FirstBatchIndex, progress.TotalTrainBatches));
    }

    public void Dispose() => root.Dispose();
}
