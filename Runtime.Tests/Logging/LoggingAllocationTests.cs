using System;
using System.IO;
using Volt.Logging;
using Volt.Loops;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Logging;

/// <summary>
/// What a training step that neither writes to a logger nor refreshes the progress display costs on the
/// managed heap: logging a CPU float loss, observing the loss and the progress reporter's check allocate nothing.
/// </summary>
public sealed class LoggingAllocationTests
{
    private const int Steps = 200;

    [Fact]
    public void LoggingAFloatLossOnTheCpuAllocatesNothing()
    {
        using var metrics = new MetricCollector(RunPhase.Train);
        using var loss = tensor(new[] { 0.5f }).sum();
        using var batchLoss = tensor(new[] { 0.25 });
        metrics.SetBatchSize(8);

        void Step()
        {
            metrics.BeginStep();
            metrics.Log("train_loss", loss, onStep: null, onEpoch: null, progressBar: true, MetricReduce.Mean, batchSize: null);
            metrics.Log("train_loss_mean", batchLoss, onStep: null, onEpoch: true, progressBar: false, MetricReduce.Mean, batchSize: null);
        }

        Assert.Equal(0, AllocatedBytes(Step));
    }

    [Fact]
    public void ObservingTheLossAndAQuietProgressStepAllocateNothing()
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        using var metrics = new MetricCollector(RunPhase.Train);
        using var trainingLoss = new TrainingLoss();
        using var progress = new PlainProgress(TextWriter.Null, clock, TimeSpan.FromSeconds(30));
        var context = new RunContext(new TrainerOptions(), null!, null!, new LossRecorder(), 0, [], progress, [], [], null, new LoopProgress(), profiler: null);
        using var loss = tensor(new[] { 0.5f }).sum();
        progress.OnTrainEpochStart(0, 1, Steps * 10);
        var batch = 0;

        void Step()
        {
            trainingLoss.Observe(loss, context);
            progress.OnTrainBatchEnd(batch++, Steps * 10, metrics, trainingLoss);
        }

        Assert.Equal(0, AllocatedBytes(Step));
    }

    /// <summary>The bytes the current thread allocates over <see cref="Steps"/> calls of <paramref name="step"/>, after a warm-up call.</summary>
    private static long AllocatedBytes(Action step)
    {
        step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Steps; i++)
        {
            step();
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
