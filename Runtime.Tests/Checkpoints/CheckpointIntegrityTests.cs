using System;
using System.IO;
using System.Linq;
using Volt.Checkpoints;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>Damaged or hand-edited checkpoints are refused, naming the file and the entry, before anything is loaded.</summary>
public sealed class CheckpointIntegrityTests() : TrainingTest(samples: 64)
{
    private string TrainOnce()
    {
        Seeding.SeedEverything(4);
        using var module = new Regression(learningRate: 0.05);
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: true, seed: 2);
        var trainer = new Trainer(Root.Options(1) with { Seed = 4, RunName = "integrity" });
        trainer.Fit(module, train);
        return Path.Combine(trainer.LogDir!, "checkpoints", "last.ckpt");
    }

    private static byte[] FlipBytes(byte[] content)
    {
        var changed = (byte[])content.Clone();
        for (var i = 0; i < Math.Min(16, changed.Length); i++)
        {
            changed[i] ^= 0x5A;
        }

        return changed;
    }

    [Fact]
    public void AFlippedByteInAnyEntryIsRefusedNamingTheFileAndTheEntry()
    {
        var good = TrainOnce();
        var entries = new[] { CheckpointTampering.TensorEntry(good, "model/linear.weight"), "optimizers/0.bin", CheckpointTampering.TensorEntry(good, "rng/torch") };
        foreach (var entry in entries)
        {
            var damaged = Path.Combine(Root.Path, "damaged-" + entry.Replace('/', '_') + ".ckpt");
            CheckpointTampering.ChangeEntry(good, damaged, entry, FlipBytes, rehash: false);
            var error = Assert.Throws<InvalidDataException>(() => CheckpointReader.Open(damaged).Dispose());
            Assert.Contains(damaged, error.Message);
            Assert.Contains(entry, error.Message);
            Assert.Contains("SHA-256", error.Message);
        }
    }

    [Fact]
    public void NonFiniteWeightsAreRefusedBeforeTheModuleChanges()
    {
        var good = TrainOnce();
        var entry = CheckpointTampering.TensorEntry(good, "model/linear.bias");
        var poisoned = Path.Combine(Root.Path, "nan.ckpt");
        CheckpointTampering.ChangeEntry(good, poisoned, entry, _ => BitConverter.GetBytes(float.NaN), rehash: true);

        var error = Assert.Throws<InvalidDataException>(() => Regression.LoadFromCheckpoint(poisoned).Dispose());
        Assert.Contains(poisoned, error.Message);
        Assert.Contains("model/linear.bias", error.Message);
        Assert.Contains(entry, error.Message);
        Assert.Contains("not finite", error.Message);

        Seeding.SeedEverything(1);
        using var module = new Regression(learningRate: 0.05);
        var before = ModelFingerprint.Sha256(module);
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: true, seed: 2);
        var resume = new Trainer(Root.Options(2) with { RunName = "integrity" });
        Assert.Throws<InvalidDataException>(() => resume.Fit(module, train, poisoned));
        Assert.Equal(before, ModelFingerprint.Sha256(module));
    }

    [Theory]
    [InlineData(8, "left")]      // mt19937 "left" counter 0: libtorch would abort the process ("Invalid mt19937 state")
    [InlineData(12, "seeded")]   // not seeded
    [InlineData(-1, "size")]     // a truncated state
    public void MalformedRngStateIsRefusedBeforeLibtorchSeesIt(int offset, string what)
    {
        var good = TrainOnce();
        var entry = CheckpointTampering.TensorEntry(good, "rng/torch");
        var edited = Path.Combine(Root.Path, "rng-" + what + ".ckpt");
        CheckpointTampering.ChangeEntry(good, edited, entry, content =>
        {
            if (offset < 0)
            {
                return content[..100];
            }

            var changed = (byte[])content.Clone();
            BitConverter.GetBytes(0).CopyTo(changed, offset);
            return changed;
        }, rehash: true);
        if (offset < 0)
        {
            // The manifest's shape no longer fits either; fix it so the RNG check is what refuses the file.
            CheckpointTampering.ChangeManifest(edited, edited + ".2", manifest =>
            {
                var tensor = manifest["tensors"]!.AsArray().Single(t => (string?)t!["name"] == "rng/torch")!;
                tensor["shape"] = new System.Text.Json.Nodes.JsonArray(100);
            });
            edited += ".2";
        }

        using var module = new Regression(learningRate: 0.05);
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: true, seed: 2);
        var resume = new Trainer(Root.Options(2) with { RunName = "integrity" });
        var error = Assert.Throws<InvalidDataException>(() => resume.Fit(module, train, edited));
        Assert.Contains(edited, error.Message);
        Assert.Contains("rng/torch", error.Message);
    }
}
