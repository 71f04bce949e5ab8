using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Volt.Callbacks;
using Volt.Logging;
using Volt.Runtime.Tests.Logging;
using Volt.Runtime.Tests.Training;
using Volt.Runtime.Tests.Tuning;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Strategies;

/// <summary>
/// Two trainers on two threads form one data-parallel job through <see cref="ThreadRankStrategy"/>:
/// what must happen once happens on rank 0, rank 1 follows its decisions, and stops and synced
/// metrics agree on both ranks. torch's state is per process, so nothing else runs beside these tests.
/// </summary>
[Collection(nameof(TorchRandomState))]
public sealed class TwoRankTrainingTests : IDisposable
{
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void RunDirectoryHyperparametersMetricsAndCheckpointsAreWrittenOnceByRankZero()
    {
        var ranks = FitTwoRanks(maxEpochs: 2, _ => []);

        var runDirectories = Directory.GetDirectories(Path.Combine(root.Path, "runs", nameof(RankProbe)));
        var runDirectory = Assert.Single(runDirectories);
        Assert.Equal(runDirectory, ranks[0].Trainer.LogDir);
        Assert.Equal(ranks[0].Trainer.LogDir, ranks[1].Trainer.LogDir);
        Assert.True(File.Exists(Path.Combine(runDirectory, HyperparameterFile.FileName)));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(runDirectory, CsvLogger.FileName)).Length); // header + one row per epoch

        // The default ModelCheckpoint: one ranked file (the newest, without a monitor) plus last.ckpt.
        // Each rank trains on its half of every epoch's batches (DistributedSampler's sharding): 2 steps per epoch.
        var checkpoints = Directory.GetFiles(Path.Combine(runDirectory, "checkpoints")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["epoch=1-step=4.ckpt", "last.ckpt"], checkpoints);
        var rank0Checkpoint = ranks[0].Trainer.Callbacks.OfType<ModelCheckpoint>().Single();
        var rank1Checkpoint = ranks[1].Trainer.Callbacks.OfType<ModelCheckpoint>().Single();
        Assert.Equal(rank0Checkpoint.BestModelPath, rank1Checkpoint.BestModelPath);
        Assert.Equal(rank0Checkpoint.LastModelPath, rank1Checkpoint.LastModelPath);

        Assert.Equal(["Open", "LogHyperparameters"], ranks[0].Logger.Calls.Take(2));
        Assert.Equal(runDirectory, ranks[0].Logger.RunDirectory);
        Assert.Equal([RunStatus.Success], ranks[0].Logger.Finishes);
        Assert.Empty(ranks[1].Logger.Calls);

        Assert.Contains("Epoch 1/1", ranks[0].Console);
        Assert.Equal(string.Empty, ranks[1].Console);

        // Gradients are averaged, so both replicas end with the same weights.
        Assert.Equal(ranks[0].Weights, ranks[1].Weights);
    }

    [Fact]
    public void AStopRequestedOnRankOneStopsBothRanksAtTheSameEpoch()
    {
        var ranks = FitTwoRanks(maxEpochs: 6, rank => rank == 1 ? [new StopOnRank(rank: 1, epoch: 1)] : []);

        Assert.Equal(2, ranks[0].Trainer.CurrentEpoch);
        Assert.Equal(2, ranks[1].Trainer.CurrentEpoch);
        Assert.Equal(ranks[0].Trainer.GlobalStep, ranks[1].Trainer.GlobalStep);
        Assert.Contains("another process requested a stop", ranks[0].Console);
    }

    [Fact]
    public void EarlyStoppingOnOneRankStopsBoth()
    {
        // Monitoring an unsynced metric (0 on rank 0, 1 on rank 1) against a threshold of 0.5, rank 0 alone
        // decides to stop after epoch 0; the reduced decision stops rank 1 in the same epoch.
        var ranks = FitTwoRanks(maxEpochs: 6, _ => [new EarlyStopping { Monitor = "rank_local", Mode = MonitorMode.Min, Patience = 3, StoppingThreshold = 0.5 }]);

        Assert.Equal(1, ranks[0].Trainer.CurrentEpoch);
        Assert.Equal(1, ranks[1].Trainer.CurrentEpoch);
        Assert.Equal(0, ranks[0].Trainer.Callbacks.OfType<EarlyStopping>().Single().StoppedEpoch);
        Assert.Equal(0, ranks[1].Trainer.Callbacks.OfType<EarlyStopping>().Single().StoppedEpoch);
        Assert.Contains("another process", ranks[1].Trainer.Callbacks.OfType<EarlyStopping>().Single().StopReason);
    }

    [Fact]
    public void SyncedMetricsAreTheMeanOverRanksAndUnsyncedOnesStayPerRank()
    {
        var ranks = FitTwoRanks(maxEpochs: 1, _ => []);

        foreach (var rank in ranks)
        {
            Assert.Equal(0.5, rank.Metrics["rank_mean"], 1e-12);
            Assert.Equal(2.0 / 3.0, rank.Metrics["rank_weighted"], 1e-12);
        }

        Assert.Equal(0.0, ranks[0].Metrics["rank_local"], 1e-12);
        Assert.Equal(1.0, ranks[1].Metrics["rank_local"], 1e-12);
        Assert.Equal(ranks[0].Metrics["loss_synced"], ranks[1].Metrics["loss_synced"], 1e-12);
        Assert.Equal(2.0 / 3.0, ranks[0].Logger.Metrics.Single().Metrics["rank_weighted"], 1e-12);
    }

    private RankRun[] FitTwoRanks(int maxEpochs, Func<int, Callback[]> callbacks)
    {
        using var group = new InProcessGroup(2);
        var runs = new RankRun[2];
        var errors = new Exception?[2];
        var threads = Enumerable.Range(0, 2).Select(rank => new Thread(() =>
        {
            try
            {
                runs[rank] = FitRank(group, rank, maxEpochs, callbacks(rank));
            }
            catch (Exception error)
            {
                errors[rank] = error;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (errors.Any(e => e is not null))
        {
            throw new AggregateException(errors.Where(e => e is not null)!);
        }

        return runs;
    }

    private RankRun FitRank(InProcessGroup group, int rank, int maxEpochs, Callback[] callbacks)
    {
        // Eight samples in four batches; rank 1's inputs are shifted, so its loss differs from rank 0's.
        using var x = (arange(8, ScalarType.Float32).reshape(8, 1) / 8) + rank;
        using var y = x * 2;
        using var train = TestData.Loader(x, y, batchSize: 2, shuffle: false);
        using var module = new RankProbe();
        var strategy = new ThreadRankStrategy(group, rank);
        var logger = new RecordingLogger();
        var console = new StringWriter();
        var options = root.Options(maxEpochs) with { EnableProgressBar = true, HandleInterrupts = false, LogEveryNSteps = 0 };
        using var trainer = new Trainer(options, callbacks, loggers: [new CsvLogger(), logger], strategy: strategy, console: console);
        trainer.Fit(module, train);
        var weights = module.parameters().SelectMany(p => p.detach().to(ScalarType.Float64).data<double>().ToArray()).ToArray();
        return new RankRun(trainer, logger, console.ToString(), new Dictionary<string, double>(trainer.CallbackMetrics), weights);
    }

    private sealed record RankRun(Trainer Trainer, RecordingLogger Logger, string Console, Dictionary<string, double> Metrics, double[] Weights);

    /// <summary>Requests a stop on one rank only, at the end of one epoch.</summary>
    private sealed class StopOnRank(int rank, int epoch) : Callback
    {
        public override void OnTrainEpochEnd(CallbackContext context)
        {
            if (context.Strategy.GlobalRank == rank && context.CurrentEpoch == epoch)
            {
                context.RequestStop($"rank {rank} stops");
            }
        }
    }
}
