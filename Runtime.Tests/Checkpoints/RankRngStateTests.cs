using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using Volt.Callbacks;
using Volt.Checkpoints;
using Volt.Runtime.Tests.Training;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>Checkpoints under DDP hold every rank's torch generator state, and each rank resumes its own.</summary>
public sealed class RankRngStateTests() : TrainingTest(samples: 64)
{
    /// <summary>The state the simulated other rank's generator is in.</summary>
    private static byte[] OtherRankState()
    {
        using var generator = new torch.Generator(4242);
        using var state = generator.get_state();
        return state.bytes.ToArray();
    }

    private string Fit(Strategy? strategy, int maxEpochs, string? ckptPath, params Callback[] callbacks)
    {
        var directory = Path.Combine(Root.Path, "checkpoints");
        Seeding.SeedEverything(3);
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: true);
        var trainer = new Trainer(
            Root.Options(maxEpochs) with { Seed = 5, EnableLogging = false },
            callbacks: [new ModelCheckpoint { DirPath = directory, SaveTopK = 0 }, .. callbacks],
            strategy: strategy,
            console: TextWriter.Null);
        trainer.Fit(module, train, ckptPath);
        return Path.Combine(directory, "last.ckpt");
    }

    [Fact]
    public void ATwoRankCheckpointHoldsEachRanksStateAndRankOneResumesItsOwn()
    {
        var last = Fit(new TwoRankView(0, OtherRankState()), maxEpochs: 1, ckptPath: null);

        byte[] rankZero;
        using (var checkpoint = CheckpointReader.Open(last))
        {
            var rng = checkpoint.Root.GetProperty("rng");
            Assert.Equal(2, rng.GetProperty("worldSize").GetInt32());
            Assert.Equal("rng/torch", rng.GetProperty("torch").GetString());
            Assert.Equal(new[] { "rng/torch", "rng/rank1/torch" }, rng.GetProperty("torchByRank").EnumerateArray().Select(e => e.GetString()!));
            using var zero = checkpoint.ReadTensor("rng/torch");
            using var one = checkpoint.ReadTensor("rng/rank1/torch");
            rankZero = zero.bytes.ToArray();
            Assert.Equal(OtherRankState(), one.bytes.ToArray());
            Assert.NotEqual(rankZero, one.bytes.ToArray());
        }

        var rankOneProbe = new RngProbe();
        Fit(new TwoRankView(1, rankZero), maxEpochs: 2, ckptPath: last, rankOneProbe);
        Assert.Equal(OtherRankState(), rankOneProbe.AtFitStart);

        var rankZeroProbe = new RngProbe();
        Fit(new TwoRankView(0, OtherRankState()), maxEpochs: 2, ckptPath: last, rankZeroProbe);
        Assert.Equal(rankZero, rankZeroProbe.AtFitStart);
    }

    [Fact]
    public void ASingleProcessCheckpointHoldsOnlyTheRankZeroStateAsBefore()
    {
        var probe = new RngProbe();
        var last = Fit(strategy: null, maxEpochs: 1, ckptPath: null, probe);
        using var checkpoint = CheckpointReader.Open(last);
        var rng = checkpoint.Root.GetProperty("rng");
        Assert.Equal(new[] { "torch", "shuffleSeed" }, rng.EnumerateObject().Select(p => p.Name));
        Assert.Equal(new[] { "rng/torch" }, checkpoint.TensorNames("rng/"));
        using var state = checkpoint.ReadTensor("rng/torch");
        Assert.Equal(probe.AtLastTrainBatchEnd, state.bytes.ToArray());
    }

    [Fact]
    public void ResumingWithAnotherWorldSizeNamesBothSizes()
    {
        var last = Fit(new TwoRankView(0, OtherRankState()), maxEpochs: 1, ckptPath: null);
        var error = Assert.Throws<InvalidDataException>(() => Fit(strategy: null, maxEpochs: 2, ckptPath: last));
        Assert.Contains("saved by a run of 2 process(es)", error.Message, StringComparison.Ordinal);
        Assert.Contains("this run has 1", error.Message, StringComparison.Ordinal);
        Assert.Contains(last, error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Rank <c>rank</c> of a two-process world, in this process: its collectives are the single-process ones,
    /// except that AllGather adds the other rank's copy, <c>otherRankState</c> (the gathered tensors here are RNG states).
    /// </summary>
    private sealed class TwoRankView(int rank, byte[] otherRankState) : Strategy
    {
        public override Device Device => CPU;

        public override int WorldSize => 2;

        public override int GlobalRank => rank;

        public override IReadOnlyList<Tensor> AllGather(Tensor tensor)
        {
            var other = torch.tensor(otherRankState, ScalarType.Byte);
            return rank == 0 ? [tensor.clone(), other] : [other, tensor.clone()];
        }
    }

    /// <summary>Records torch's generator state when fitting starts (after a resume restored it) and after each training batch.</summary>
    private sealed class RngProbe : Callback
    {
        public byte[]? AtFitStart { get; private set; }

        public byte[]? AtLastTrainBatchEnd { get; private set; }

        public override void OnFitStart(CallbackContext context) => AtFitStart = State();

        public override void OnTrainBatchEnd(CallbackContext context, int batchIndex) => AtLastTrainBatchEnd = State();

        private static byte[] State()
        {
            using var state = torch.get_rng_state();
            return state.bytes.ToArray();
        }
    }
}
