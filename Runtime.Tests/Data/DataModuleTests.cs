using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Volt.Data;
using Volt.Runtime.Tests.Cli;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Data;

/// <summary>DataModule hooks around trainer calls (Lightning's trainer.py _run order).</summary>
public sealed class DataModuleTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("volt-datamodule-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void FitCallsPrepareSetupLoadersAndTeardownInOrder()
    {
        using var data = new RecordingData();
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();

        Trainer().Fit(model, data);

        Assert.Equal(["Prepare", "Setup(Fit)", "TrainLoader", "ValidationLoader", "Teardown(Fit)"], data.Calls);
    }

    [Fact]
    public void TestAsksOnlyForTheTestLoader()
    {
        using var data = new RecordingData();
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();

        var metrics = Trainer().Test(model, data);

        Assert.Contains("test_loss", metrics.Keys);
        Assert.Equal(["Prepare", "Setup(Test)", "TestLoader", "Teardown(Test)"], data.Calls);
    }

    [Fact]
    public void TeardownRunsWhenTheCallFails()
    {
        using var data = new RecordingData { FailIn = "ValidationLoader" };
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();

        var error = Assert.Throws<InvalidOperationException>(() => Trainer().Validate(model, data));

        Assert.Contains("ValidationLoader", error.Message);
        Assert.Equal("Teardown(Validate)", data.Calls[^1]);
    }

    [Fact]
    public void MissingLoaderNamesTheDataModuleAndTheMethod()
    {
        using var data = new RecordingData { WithoutPredict = true };
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();

        var error = Assert.Throws<InvalidOperationException>(() => Trainer().Predict(model, data));

        Assert.Contains("RecordingData", error.Message);
        Assert.Contains("PredictLoader()", error.Message);
    }

    [Fact]
    public void PrepareRunsOnGlobalRankZeroOnlyAndEveryRankWaitsThenSetsUp()
    {
        using var rankZero = new FakeRank(0);
        using var rankOne = new FakeRank(1);
        using var first = new RecordingData();
        using var second = new RecordingData();

        DataModuleCalls.Run(first, Stage.Fit, rankZero, () => 0);
        DataModuleCalls.Run(second, Stage.Fit, rankOne, () => 0);

        Assert.Equal(["Prepare", "Setup(Fit)", "Teardown(Fit)"], first.Calls);
        Assert.Equal(["Setup(Fit)", "Teardown(Fit)"], second.Calls);
        Assert.Equal(1, rankZero.Barriers);
        Assert.Equal(1, rankOne.Barriers);
    }

    [Fact]
    public void TrainerOnRankOneSetsUpAndTrainsWithoutPreparing()
    {
        using var data = new RecordingData();
        using var rankOne = new FakeRank(1);
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();
        var trainer = new Trainer(new TrainerOptions { MaxEpochs = 1, EnableLogging = false, EnableCheckpointing = false, EnableProgressBar = false, NumSanityValSteps = 0 }, strategy: rankOne, console: TextWriter.Null);

        trainer.Fit(model, data);

        Assert.Equal(["Setup(Fit)", "TrainLoader", "ValidationLoader", "Teardown(Fit)"], data.Calls);
        Assert.True(rankOne.Barriers >= 1);

        // The loader's two batches are sharded over the two ranks (DistributedSampler's rule), so rank 1 steps once.
        Assert.Equal(1, trainer.GlobalStep);
    }

    private Trainer Trainer() => new(new TrainerOptions
    {
        MaxEpochs = 1,
        DefaultRootDir = directory,
        EnableProgressBar = false,
        NumSanityValSteps = 0,
    }, console: TextWriter.Null);

    /// <summary>Rank <c>rank</c> of a two-process world, in this process; counts barriers.</summary>
    private sealed class FakeRank(int rank) : Strategy
    {
        public int Barriers { get; private set; }

        public override Device Device => CPU;

        public override int WorldSize => 2;

        public override int GlobalRank => rank;

        public override void Barrier() => Barriers++;
    }

    private sealed class RecordingData : DataModule<CliPointBatch>
    {
        private readonly List<IDisposable> loaders = [];

        public List<string> Calls { get; } = [];

        public string? FailIn { get; init; }

        public bool WithoutPredict { get; init; }

        public override void Prepare() => Record("Prepare");

        public override void Setup(Stage stage) => Record($"Setup({stage})");

        public override IDataLoader<CliPointBatch> TrainLoader() => Loader("TrainLoader");

        public override IDataLoader<CliPointBatch>? ValidationLoader() => Loader("ValidationLoader");

        public override IDataLoader<CliPointBatch>? TestLoader() => Loader("TestLoader");

        public override IDataLoader<CliPointBatch>? PredictLoader() => WithoutPredict ? null : Loader("PredictLoader");

        public override void Teardown(Stage stage) => Record($"Teardown({stage})");

        protected override void Dispose(bool disposing)
        {
            foreach (var loader in loaders)
            {
                loader.Dispose();
            }
        }

        private TensorDataLoader<CliPointBatch> Loader(string name)
        {
            Record(name);
            var xs = Enumerable.Range(0, 8).Select(i => i / 8f).ToArray();
            var loader = TensorDataLoader.Create(tensor(xs, [8, 1]), tensor(xs.Select(x => (2 * x) + 1).ToArray()), 4, (x, y) => new CliPointBatch(x, y), ownsTensors: true);
            loaders.Add(loader);
            return loader;
        }

        private void Record(string call)
        {
            Calls.Add(call);
            if (call == FailIn)
            {
                throw new InvalidOperationException($"{call} failed on purpose");
            }
        }
    }
}
