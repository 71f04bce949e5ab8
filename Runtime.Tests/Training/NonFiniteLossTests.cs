using System;
using System.IO;
using System.Linq;
using Volt.Callbacks;
using Volt.Checkpoints;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>A diverging run stops with a message instead of training NaN, and keeps its good checkpoints.</summary>
public sealed class NonFiniteLossTests() : TrainingTest(samples: 64)
{
    private Trainer Diverge(TrainerOptions options, params Callback[] callbacks)
    {
        Seeding.SeedEverything(5);
        using var module = new Regression(learningRate: 1e30);
        using var train = TestData.Loader(X, Y, batchSize: 8, shuffle: false);
        var trainer = new Trainer(options, callbacks);
        trainer.Fit(module, train);
        return trainer;
    }

    [Fact]
    public void ANonFiniteLossStopsNamingEpochBatchAndStepAndNoCheckpointHoldsNonFiniteWeights()
    {
        var directory = Path.Combine(Root.Path, "ckpt");
        var options = Root.Options(3);
        var error = Assert.ThrowsAny<Exception>(() => Diverge(options, new ModelCheckpoint { DirPath = directory, EveryNTrainSteps = 1, SaveTopK = 0 }));
        Assert.Matches(@"not finite .*epoch 0, batch \d+ \(global step \d+\)", error.Message);
        Assert.Contains("StopOnNonFiniteLoss", error.Message);

        using var loaded = Regression.LoadFromCheckpoint(Path.Combine(directory, "last.ckpt"));
        foreach (var (_, parameter) in loaded.state_dict())
        {
            Assert.True(isfinite(parameter).all().item<bool>(), "last.ckpt holds non-finite weights");
        }
    }

    [Fact]
    public void TheProgressLineShowsTheTrainingLossWithoutAsking()
    {
        Seeding.SeedEverything(5);
        using var module = new Regression(learningRate: 0.05);
        using var train = TestData.Loader(X, Y, batchSize: 8, shuffle: false);
        var console = new StringWriter();
        new Trainer(Root.Options(1) with { EnableProgressBar = true }, console: console).Fit(module, train);
        Assert.Matches(@"Epoch .* loss: \d+\.\d{3}", console.ToString());
    }
}
