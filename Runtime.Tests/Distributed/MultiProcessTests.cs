using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Distributed;

/// <summary>
/// Data-parallel training across real processes: Runtime.Tests.DdpWorker under Open MPI's mpirun
/// (installed by .ci/run). Each job trains a 49-parameter net for 2 epochs over 256 samples.
/// </summary>
[Collection("mpirun")]
public sealed class MultiProcessTests : IDisposable
{
    /// <summary>
    /// Two ranks' averaged gradients equal the 64-sample batch's gradient up to float32 rounding of the
    /// different summation order; measured 6e-8 after 8 SGD steps.
    /// </summary>
    private const double WeightTolerance = 1e-6;

    /// <summary>The bound within which a job with a failed or killed rank must end (measured: about 1 s after the failure).</summary>
    private static readonly TimeSpan FaultBound = TimeSpan.FromSeconds(30);

    private readonly string directory = Path.Combine(Path.GetTempPath(), "volt-ddp-" + Guid.NewGuid().ToString("N"));

    public MultiProcessTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void EveryCollectiveGivesTheKnownResultOnTwoRanks()
    {
        var job = MpiJob.Run(2, "collectives");
        Assert.True(job.ExitCode == 0, job.Output);
        Assert.Contains("collectives ok on rank 0 of 2", job.Output, StringComparison.Ordinal);
        Assert.Contains("collectives ok on rank 1 of 2", job.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TwoRanksOfBatch32EndLikeOneProcessOfBatch64AndAgreeBitForBit()
    {
        var ddp = Fit(2, "ddp", 32, "ddp");
        var single = Fit(0, "single", 64, "single");
        Assert.Equal(ddp[0], ddp[1]);
        Tolerance.AllClose(single[0].Select(v => (double)v).ToList(), ddp[0].Select(v => (double)v), WeightTolerance);
    }

    [Fact]
    public void OneRankDdpIsBitIdenticalToSingleDevice()
    {
        var ddp = Fit(0, "one", 64, "ddp");
        var single = Fit(0, "single", 64, "single");
        Assert.Equal(single[0], ddp[0]);
    }

    [Fact]
    public void AccumulationUnderDdpMatchesTheSingleProcessRun()
    {
        var ddp = Fit(2, "ddp", 16, "ddp", "accumulate=2");
        var single = Fit(0, "single", 32, "single", "accumulate=2");
        Assert.Equal(ddp[0], ddp[1]);
        Tolerance.AllClose(single[0].Select(v => (double)v).ToList(), ddp[0].Select(v => (double)v), WeightTolerance);
    }

    [Fact]
    public void AccumulatingBatchesReduceNothingOnlySteppingBatchesDo()
    {
        // 256 samples / 2 ranks / batch 16 = 8 batches per epoch; accumulating 2 → 4 steps per epoch, 2 epochs.
        var ddp = Fit(2, "counted", 16, "ddp", "accumulate=2", "count");
        Assert.Equal(ddp[0], ddp[1]);
        Assert.Equal("8", File.ReadAllText(Path.Combine(directory, "counted.0.reductions")));
        Assert.Equal("8", File.ReadAllText(Path.Combine(directory, "counted.1.reductions")));
    }

    [Fact]
    public void ManualOptimizationWithTwoOptimizersSyncsBothNetworks()
    {
        var ddp = Fit(2, "ddp", 32, "ddp", "manual");
        var single = Fit(0, "single", 64, "single", "manual");
        Assert.Equal(ddp[0], ddp[1]);
        Tolerance.AllClose(single[0].Select(v => (double)v).ToList(), ddp[0].Select(v => (double)v), WeightTolerance);
    }

    [Fact]
    public void EarlyStoppingOnAMetricThatStallsOnOneRankStopsBothRanksAtTheSameEpoch()
    {
        var output = Path.Combine(directory, "stopped");
        var job = MpiJob.Run(2, "earlystop", output);
        Assert.True(job.ExitCode == 0, job.Output);

        // Rank 1's metric never improves after epoch 0; with patience 1 it asks to stop after epoch 1, and rank 0 (whose
        // metric keeps improving) stops with it: both finish 2 of the 8 epochs.
        Assert.Equal("2", File.ReadAllText(output + ".0"));
        Assert.Equal("2", File.ReadAllText(output + ".1"));
    }

    [Fact]
    public void OnlyRankZeroCreatesTheRunDirectoryAndWritesCheckpointsAndEveryRankKnowsItsPath()
    {
        var job = MpiJob.Run(2, "checkpoint", directory);
        Assert.True(job.ExitCode == 0, job.Output);
        var versions = Directory.GetDirectories(Path.Combine(directory, "runs", "ddp"));
        var version = Assert.Single(versions);
        Assert.Contains($"logdir on rank 0: {version}", job.Output, StringComparison.Ordinal);
        Assert.Contains($"logdir on rank 1: {version}", job.Output, StringComparison.Ordinal);
        var checkpoints = Directory.GetFiles(Path.Combine(version, "checkpoints")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, checkpoints.Count); // the best one and last.ckpt, each written once
        Assert.Contains("last.ckpt", checkpoints);
        Assert.Empty(Directory.GetFiles(version, "*.tmp*", SearchOption.AllDirectories));
    }

    [Fact]
    public void ATwoRankRunKilledWithSigkillResumesFromLastCkptToTheUninterruptedWeightsOnBothRanks()
    {
        // 256 samples / 2 ranks / batch 32 = 4 steps per epoch, 3 epochs; last.ckpt every 3 steps. Each rank's dropout
        // stream differs (DropoutRegression draws rank + 1 extra numbers per step), so both ranks' states must come back.
        var reference = Path.Combine(directory, "reference");
        var referenceJob = MpiJob.Run(2, "resume", reference, Path.Combine(directory, "reference-checkpoints"), "0");
        Assert.True(referenceJob.ExitCode == 0, referenceJob.Output);

        var checkpoints = Path.Combine(directory, "checkpoints");
        var resumed = Path.Combine(directory, "resumed");
        var killedJob = MpiJob.Run(2, "resume", resumed, checkpoints, "7");
        Assert.NotEqual(0, killedJob.ExitCode);
        Assert.Contains("rank 1 kills itself after global step 7", killedJob.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(resumed + ".0"), "the killed job finished");
        var last = Path.Combine(checkpoints, "last.ckpt");
        using (var checkpoint = Volt.Checkpoints.CheckpointReader.Open(last))
        {
            Assert.Equal(6, checkpoint.Root.GetProperty("loop").GetProperty("globalStep").GetInt64());
            Assert.Equal(2, checkpoint.Root.GetProperty("rng").GetProperty("worldSize").GetInt32());
        }

        var resumeJob = MpiJob.Run(2, "resume", resumed, checkpoints, "0", last);
        Assert.True(resumeJob.ExitCode == 0, resumeJob.Output);
        for (var rank = 0; rank < 2; rank++)
        {
            Assert.Equal(MpiJob.Weights($"{reference}.{rank}"), MpiJob.Weights($"{resumed}.{rank}"));
        }

        Assert.Equal(MpiJob.Weights(reference + ".0"), MpiJob.Weights(reference + ".1"));
    }

    [Fact]
    public void AProgramStartedWithoutALauncherAndDevices2RelaunchesItselfUnderMpirun()
    {
        var relaunched = Fit(0, "relaunched", 32, "ddp", "devices=2");
        var rank1 = MpiJob.Weights(Path.Combine(directory, "relaunched.1"));
        var single = Fit(0, "single", 64, "single");
        Assert.Equal(relaunched[0], rank1);
        Tolerance.AllClose(single[0].Select(v => (double)v).ToList(), rank1.Select(v => (double)v), WeightTolerance);
    }

    [Fact]
    public void AnExceptionOnOneRankEndsTheJobNonZeroWithTheRankAndMessage()
    {
        var job = MpiJob.Run(2, "throw");
        Assert.NotEqual(0, job.ExitCode);
        Assert.Contains("[rank 1] unhandled exception, aborting the job: System.InvalidOperationException: deliberate failure on rank 1", job.Output, StringComparison.Ordinal);
        Assert.True(job.Elapsed < FaultBound, $"the job took {job.Elapsed}");
    }

    [Fact]
    public void ASigkilledRankEndsTheJobNonZeroWithinTheBound()
    {
        var job = MpiJob.Run(2, "sigkill");
        Assert.NotEqual(0, job.ExitCode);
        var killed = Regex.Match(job.Output, "rank 1 kills itself at (\\S+)");
        Assert.True(killed.Success, job.Output);
        var afterKill = job.EndedUtc - DateTime.Parse(killed.Groups[1].Value, null, System.Globalization.DateTimeStyles.RoundtripKind).ToUniversalTime();
        Assert.True(afterKill < FaultBound, $"the job ended {afterKill} after the kill");
    }

    /// <summary>Runs a fit job and returns each rank's final weights.</summary>
    private float[][] Fit(int ranks, string name, int batchSize, string strategy, params string[] flags)
    {
        var output = Path.Combine(directory, name);
        var job = MpiJob.Run(ranks, ["fit", output, batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture), strategy, .. flags]);
        Assert.True(job.ExitCode == 0, job.Output);
        return Enumerable.Range(0, Math.Max(1, ranks)).Select(r => MpiJob.Weights($"{output}.{r}")).ToArray();
    }
}
