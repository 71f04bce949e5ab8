using System;
using System.IO;
using System.Linq;
using Volt.Callbacks;
using Volt.Checkpoints;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>Resuming from a checkpoint ends bit-identical to never stopping.</summary>
public sealed class ResumeTests() : TrainingTest(samples: 128)
{
    private string Train(long maxSteps, string? ckptPath, string directory, int initSeed = 3)
    {
        Seeding.SeedEverything(initSeed);
        using var module = new Regression(learningRate: 0.05);
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: true);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var trainer = new Trainer(Root.Options(maxEpochs: 3) with
        {
            Seed = 9,
            MaxSteps = maxSteps,
        }, callbacks: [new ModelCheckpoint { DirPath = directory, EveryNTrainSteps = 5, SaveTopK = 0 }]);
        trainer.Fit(module, train, validation, ckptPath);
        return ModelFingerprint.Sha256(module);
    }

    [Theory]
    [InlineData(13)] // the checkpoint at step 10 is mid-epoch 1 (batches of 8 per epoch)
    [InlineData(16)] // the checkpoint at step 15 is the second-to-last batch of epoch 1
    [InlineData(22)] // step 20: mid-epoch 2
    public void MidEpochResumeIsBitIdentical(long stopAfter)
    {
        var uninterrupted = Train(maxSteps: -1, ckptPath: null, Path.Combine(Root.Path, "a"));

        var directory = Path.Combine(Root.Path, "b" + stopAfter);
        Train(maxSteps: stopAfter, ckptPath: null, directory);
        using (var checkpoint = CheckpointReader.Open(Path.Combine(directory, "last.ckpt")))
        {
            Assert.Equal(stopAfter / 5 * 5, checkpoint.Root.GetProperty("loop").GetProperty("globalStep").GetInt64());
        }

        // A different initialization proves the weights come from the checkpoint.
        var resumed = Train(maxSteps: -1, ckptPath: Path.Combine(directory, "last.ckpt"), directory, initSeed: 77);
        Assert.Equal(uninterrupted, resumed);
    }

    [Fact]
    public void LastAndBestResolveInTheRunDirectories()
    {
        Seeding.SeedEverything(3);
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: true);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var first = new Trainer(Root.Options(2) with { RunName = "r" });
        first.Fit(module, train, validation);
        var best = first.Callbacks.OfType<ModelCheckpoint>().Single().BestModelPath!;

        var second = new Trainer(Root.Options(3) with { RunName = "r" });
        second.Fit(module, train, validation, ckptPath: "last");
        Assert.Equal(3 * 4, second.GlobalStep);

        var third = new Trainer(Root.Options(3) with { RunName = "r" });
        third.Fit(module, train, validation, ckptPath: "best");
        Assert.Contains("epoch=", best);

        var missing = new Trainer(Root.Options(1) with { RunName = "never-ran" });
        var error = Assert.Throws<FileNotFoundException>(() => missing.Fit(module, train, validation, ckptPath: "last"));
        Assert.Contains("last.ckpt", error.Message);
    }

    [Fact]
    public void ATrainingProcessKilledMidRunResumesToTheSameWeights()
    {
        string[] common = ["--epochs", "3", "--seed", "5", "--checkpoint-every-n-steps", "100", "--no-progress"];

        var reference = SampleProcess.RunSuccessfully([.. common, "--root", Path.Combine(Root.Path, "reference")]);
        var killedRoot = Path.Combine(Root.Path, "killed");
        var lastCheckpoint = Path.Combine(killedRoot, "runs", "fashion_mnist_mlp", "version_0", "checkpoints", "last.ckpt");

        using (var child = SampleProcess.Start([.. common, "--root", killedRoot]))
        {
            SampleProcess.WaitForStep(child, lastCheckpoint, 500);
            child.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
            child.WaitForExit();
        }

        var stepAtKill = SampleProcess.StepOf(lastCheckpoint);
        Assert.InRange(stepAtKill, 500, (3 * 860) - 1);
        var resumed = SampleProcess.RunSuccessfully([.. common, "--root", killedRoot, "--ckpt-path", "last"]);
        Assert.Equal(SampleProcess.Fingerprint(reference), SampleProcess.Fingerprint(resumed));
    }
}
