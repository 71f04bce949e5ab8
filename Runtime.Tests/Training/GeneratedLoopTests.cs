using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>The generated loops, run for real on tiny models.</summary>
public sealed class GeneratedLoopTests() : TrainingTest(samples: 256)
{
    [Fact]
    public void PrimaryConstructorModuleRegistersItsParameters()
    {
        using var module = new Regression();
        Assert.Equal(2, module.parameters().Count());
        Assert.Equal(["linear.weight", "linear.bias"], module.state_dict().Keys.ToArray());
    }

    [Fact]
    public void FitLowersTheLoss()
    {
        using var module = new Regression();
        using var loader = TestData.Loader(X, Y, batchSize: 32, shuffle: true, seed: 1);
        var before = MeanSquaredError(module);
        var trainer = new Trainer(Root.Options(maxEpochs: 5));
        trainer.Fit(module, loader);
        var after = MeanSquaredError(module);
        Assert.True(after < before / 10, $"loss went from {before} to {after}");
        Assert.Equal(5 * 8, trainer.GlobalStep);
        Assert.Equal(5, trainer.CurrentEpoch);
    }

    [Fact]
    public void ValidationRunsInEvalModeWithoutGradientsAndTrainingResumesAfterwards()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 64, shuffle: true, seed: 1);
        using var validation = TestData.Loader(X, Y, batchSize: 100, shuffle: false);
        new Trainer(Root.Options(maxEpochs: 2)).Fit(module, train, validation);

        Assert.Equal(2 * 4, module.TrainingModes.Count);
        Assert.All(module.TrainingModes, mode => Assert.Equal(new StepMode(Training: true, GradEnabled: true), mode));
        // Two sanity-check batches before training, then three batches per epoch.
        Assert.Equal(2 + (2 * 3), module.ValidationModes.Count);
        Assert.All(module.ValidationModes, mode => Assert.Equal(new StepMode(Training: false, GradEnabled: false), mode));
        Assert.True(module.training);
        Assert.True(is_grad_enabled());
    }

    [Fact]
    public void StandaloneValidateRestoresEvalModeOfTheCaller()
    {
        using var module = new Regression();
        using var validation = TestData.Loader(X, Y, batchSize: 100, shuffle: false);
        module.eval();
        var metrics = new Trainer(Root.Options(maxEpochs: 1)).Validate(module, validation);
        Assert.False(module.training);
        Assert.True(metrics.ContainsKey("val_loss"));
    }

    [Fact]
    public void SeededRunsGiveBitIdenticalWeights()
    {
        var first = TrainedFingerprint(seed: 3);
        var second = TrainedFingerprint(seed: 3);
        var other = TrainedFingerprint(seed: 4);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void SeedEverythingAloneRepeatsTheShuffledOrder()
    {
        // No TrainerOptions.Seed: the trainer draws its shuffling seed from torch's seeded generator.
        var first = TrainedFingerprint(seed: 3, seedTheTrainer: false);
        var second = TrainedFingerprint(seed: 3, seedTheTrainer: false);
        var other = TrainedFingerprint(seed: 4, seedTheTrainer: false);
        Assert.Equal(first, second);
        Assert.NotEqual(first, other);
        Assert.NotEqual(ShuffleSeedAfter(seed: 5), ShuffleSeedAfter(seed: 6));
        Assert.Equal(ShuffleSeedAfter(seed: 5), ShuffleSeedAfter(seed: 5));
    }

    [Fact]
    public void LiveTensorCountDoesNotGrowAcrossEpochs()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: true, seed: 1);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        new Trainer(Root.Options(maxEpochs: 6)).Fit(module, train, validation);

        // Epoch 1 creates the optimizer state and metric accumulators; from then on the count is flat.
        var counts = module.LiveTensorsAtEpochStart.Skip(1).Distinct().ToList();
        Assert.True(counts.Count == 1, "live tensors at each epoch start: " + string.Join(", ", module.LiveTensorsAtEpochStart));
    }

    [Fact]
    public void FitWritesHyperparametersToTheRunDirectory()
    {
        using var module = new Regression(inputs: 3, learningRate: 0.25, label: "with \"quotes\"");
        using var train = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var trainer = new Trainer(Root.Options(maxEpochs: 1) with { RunName = "hp" });
        trainer.Fit(module, train);

        Assert.Equal(Path.Combine(Root.Path, "runs", "hp", "version_0"), trainer.LogDir);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(trainer.LogDir!, "hparams.json")));
        Assert.Equal(3, json.RootElement.GetProperty("inputs").GetInt32());
        Assert.Equal(0.25, json.RootElement.GetProperty("learningRate").GetDouble());
        Assert.Equal("with \"quotes\"", json.RootElement.GetProperty("label").GetString());

        using var rebuilt = Regression.FromHyperparameters(module.GetHyperparameters());
        Assert.Equal(module.GetHyperparameters(), rebuilt.GetHyperparameters());
    }

    [Fact]
    public void EachFitOfANewTrainerGetsANewVersionDirectory()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 128, shuffle: false);
        var first = new Trainer(Root.Options(maxEpochs: 1) with { RunName = "v" });
        first.Fit(module, train);
        var second = new Trainer(Root.Options(maxEpochs: 1) with { RunName = "v" });
        second.Fit(module, train);
        Assert.EndsWith("version_0", first.LogDir);
        Assert.EndsWith("version_1", second.LogDir);
        Assert.True(File.Exists(Path.Combine(second.LogDir!, "metrics.csv")));
    }

    [Fact]
    public void RegularConstructorHyperparametersRoundTrip()
    {
        using var module = new TupleModule(inputs: 3) { Scale = 2.5 };
        var hyperparameters = module.GetHyperparameters();
        Assert.Equal(new TupleModule.Hyperparameters(3, 2.5), hyperparameters);
        using var rebuilt = TupleModule.FromHyperparameters(hyperparameters);
        Assert.Equal(2.5, rebuilt.Scale);
        Assert.Equal(3, rebuilt.Inputs);
    }

    [Fact]
    public void ValueTupleBatchesValidate()
    {
        using var module = new TupleModule(inputs: 3);
        using var loader = TensorDataLoader.Create(X, Y, 50, (a, b) => (a, b));
        var metrics = new Trainer(Root.Options(maxEpochs: 1)).Validate(module, loader);
        Assert.True(metrics["val_loss"] > 0);
    }

    [Fact]
    public void PredictReturnsOutputsThatOutliveTheSteps()
    {
        using var module = new Regression();
        using var loader = TestData.Loader(X, Y, batchSize: 100, shuffle: false);
        var outputs = new Trainer(Root.Options(maxEpochs: 1)).Predict(module, loader);
        try
        {
            Assert.Equal([100L, 100L, 56L], outputs.Select(o => o.shape[0]).ToArray());
            using var expected = module.forward(X);
            using var all = cat(outputs.ToArray(), 0);
            Assert.True(all.allclose(expected));
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }
        }
    }

    [Fact]
    public void TestReturnsEpochMetricsAndLimitsApply()
    {
        Seeding.SeedEverything(21);
        using var module = new Regression();
        using var loader = TestData.Loader(X, Y, batchSize: 10, shuffle: false);
        var trainer = new Trainer(Root.Options(maxEpochs: 1) with { LimitTestBatches = 3 });
        var metrics = trainer.Test(module, loader);

        using var head = module.forward(X.narrow(0, 0, 30));
        using var target = Y.narrow(0, 0, 30);
        using var expected = nn.functional.mse_loss(head, target);
        Assert.Equal(expected.ToDouble(), metrics["test_loss"], 1e-5);
    }

    [Fact]
    public void MaxStepsStopsInsideAnEpoch()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: false);
        var trainer = new Trainer(Root.Options(maxEpochs: 10) with { MaxSteps = 11 });
        trainer.Fit(module, train);
        Assert.Equal(11, trainer.GlobalStep);
        Assert.Equal(11, module.TrainingModes.Count);
    }

    private string TrainedFingerprint(long seed, bool seedTheTrainer = true)
    {
        Seeding.SeedEverything(seed);
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: true);
        new Trainer(Root.Options(maxEpochs: 2) with { Seed = seedTheTrainer ? seed : null }).Fit(module, train);
        return ModelFingerprint.Sha256(module);
    }

    /// <summary>The default seed the trainer passes to a loader's <c>OpenEpoch</c> after <c>SeedEverything(seed)</c>.</summary>
    private long ShuffleSeedAfter(long seed)
    {
        Seeding.SeedEverything(seed);
        using var module = new Regression();
        var train = new DefaultSeedRecorder(TestData.Loader(X, Y, batchSize: 32, shuffle: false));
        new Trainer(Root.Options(maxEpochs: 1)).Fit(module, train);
        return Assert.Single(train.DefaultSeeds.Distinct());
    }

    /// <summary>A loader that records the default seed of every epoch it opens.</summary>
    private sealed class DefaultSeedRecorder(IDataLoader<XYBatch> inner) : IDataLoader<XYBatch>
    {
        public System.Collections.Generic.List<long> DefaultSeeds { get; } = [];

        public int BatchCount => inner.BatchCount;

        public long SampleCount => inner.SampleCount;

        public IEpochBatches<XYBatch> OpenEpoch(int epoch, long defaultSeed)
        {
            DefaultSeeds.Add(defaultSeed);
            return inner.OpenEpoch(epoch, defaultSeed);
        }
    }

    private double MeanSquaredError(Regression module)
    {
        using var noGrad = no_grad();
        using var prediction = module.forward(X);
        using var loss = nn.functional.mse_loss(prediction, Y);
        return loss.ToDouble();
    }

}
