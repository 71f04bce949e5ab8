using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.Json;
using Volt.Checkpoints;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>The checkpoint file: what it holds, that it is readable without Volt, and how bad files fail.</summary>
public sealed class CheckpointFileTests() : TrainingTest(samples: 128)
{
    private (Regression Module, string Directory) Train(int epochs = 2)
    {
        Seeding.SeedEverything(11);
        var module = new Regression(inputs: 3, learningRate: 0.05);
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: true, seed: 1);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var trainer = new Trainer(Root.Options(epochs) with { Seed = 11, RunName = "ckpt" });
        trainer.Fit(module, train, validation);
        return (module, Path.Combine(trainer.LogDir!, "checkpoints"));
    }

    [Fact]
    public void DefaultCheckpointingKeepsTheBestAndTheLast()
    {
        var (module, directory) = Train();
        using (module)
        {
            var files = Directory.GetFiles(directory).Select(Path.GetFileName).Order().ToArray();
            Assert.Equal(2, files.Length);
            Assert.Contains("last.ckpt", files);
            Assert.Matches(@"^epoch=\d-step=\d+\.ckpt$", files.Single(f => f != "last.ckpt"));
            Assert.Empty(Directory.GetFiles(directory, "*.tmp", SearchOption.AllDirectories));
        }
    }

    [Fact]
    public void ManifestAndTensorsAreReadableWithoutVolt()
    {
        var (module, directory) = Train();
        using (module)
        {
            using var archive = ZipFile.OpenRead(Path.Combine(directory, "last.ckpt"));
            using var manifest = JsonDocument.Parse(archive.GetEntry("manifest.json")!.Open());
            var rootElement = manifest.RootElement;
            Assert.Equal("volt-checkpoint", rootElement.GetProperty("format").GetString());
            Assert.Equal(2, rootElement.GetProperty("formatVersion").GetInt32());
            Assert.Equal("SHA-256", rootElement.GetProperty("integrity").GetProperty("algorithm").GetString());
            Assert.Equal("0.1.0", rootElement.GetProperty("voltVersion").GetString());
            Assert.Equal(3, rootElement.GetProperty("hyperparameters").GetProperty("inputs").GetInt32());
            Assert.Equal(8, rootElement.GetProperty("loop").GetProperty("globalStep").GetInt64());
            Assert.Equal("SGD", rootElement.GetProperty("optimizers")[0].GetProperty("type").GetString());
            Assert.Contains(rootElement.GetProperty("callbacks").EnumerateObject(), p => p.Name.StartsWith("ModelCheckpoint", StringComparison.Ordinal));

            var weight = rootElement.GetProperty("tensors").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "model/linear.weight");
            Assert.Equal("Float32", weight.GetProperty("dtype").GetString());
            Assert.Equal([1L, 3L], weight.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()));
            using var stream = archive.GetEntry(weight.GetProperty("entry").GetString()!)!.Open();
            var bytes = new byte[12];
            stream.ReadExactly(bytes);
            var stored = Enumerable.Range(0, 3).Select(i => BitConverter.ToSingle(bytes, i * 4)).ToArray();
            Assert.Equal(module.state_dict()["linear.weight"].data<float>().ToArray(), stored);
        }
    }

    [Fact]
    public void LoadFromCheckpointRebuildsTheModuleFromSavedHyperparameters()
    {
        var (module, directory) = Train();
        using (module)
        {
            var path = Path.Combine(directory, "last.ckpt");
            using var loaded = Regression.LoadFromCheckpoint(path);
            Assert.Equal(ModelFingerprint.Sha256(module), ModelFingerprint.Sha256(loaded));
            Assert.Equal(module.GetHyperparameters(), loaded.GetHyperparameters());

            using var changed = Regression.LoadFromCheckpoint(path, h => h with { LearningRate = 0.5 });
            Assert.Equal(0.5, changed.GetHyperparameters().LearningRate);
            Assert.Equal(ModelFingerprint.Sha256(module), ModelFingerprint.Sha256(changed));
        }
    }

    [Fact]
    public void WeightsOfAnotherShapeNameTheFirstMismatchingParameter()
    {
        var (module, directory) = Train(epochs: 1);
        module.Dispose();
        var error = Assert.Throws<InvalidDataException>(() => Regression.LoadFromCheckpoint(Path.Combine(directory, "last.ckpt"), h => h with { Inputs = 4 }));
        Assert.Contains("linear.weight", error.Message);
        Assert.Contains("[1, 3]", error.Message);
    }

    [Fact]
    public void TruncatedCorruptForeignAndFutureFilesAreRejectedByName()
    {
        var (module, directory) = Train(epochs: 1);
        module.Dispose();
        var good = File.ReadAllBytes(Path.Combine(directory, "last.ckpt"));

        var truncated = Path.Combine(Root.Path, "truncated.ckpt");
        File.WriteAllBytes(truncated, good[..(good.Length / 2)]);
        AssertRejected(truncated, "damaged or truncated");

        var noise = Path.Combine(Root.Path, "noise.ckpt");
        File.WriteAllBytes(noise, Enumerable.Range(0, 4096).Select(i => (byte)(i * 31)).ToArray());
        AssertRejected(noise, "damaged or truncated");

        var foreign = Path.Combine(Root.Path, "foreign.ckpt");
        using (var archive = ZipFile.Open(foreign, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("weights.txt").Open());
            writer.Write("not a checkpoint");
        }

        AssertRejected(foreign, "not a Volt checkpoint");

        var future = Path.Combine(Root.Path, "future.ckpt");
        using (var archive = ZipFile.Open(future, ZipArchiveMode.Create))
        {
            using var writer = new StreamWriter(archive.CreateEntry("manifest.json").Open());
            writer.Write("""{ "format": "volt-checkpoint", "formatVersion": 99, "voltVersion": "9.0.0", "tensors": [] }""");
        }

        AssertRejected(future, "format version 99");
        Assert.Throws<FileNotFoundException>(() => CheckpointReader.Open(Path.Combine(Root.Path, "missing.ckpt")));
    }

    [Fact]
    public void AFailedWriteKeepsThePreviousFileAndLeavesNoTemporaryFile()
    {
        var path = Path.Combine(Root.Path, "keep.ckpt");
        using var tensor = ones(2, 2);
        CheckpointFile.Write(path, _ => { }, [("t", tensor)], []);
        var before = File.ReadAllBytes(path);

        var error = Assert.Throws<IOException>(() => CheckpointFile.Write(
            path,
            _ => { },
            [("t", tensor)],
            [("blob", _ => throw new IOException("No space left on device"))]));

        Assert.Contains(path, error.Message);
        Assert.Contains("No space left on device", error.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(Root.Path));
    }

    private static void AssertRejected(string path, string why)
    {
        var error = Assert.Throws<InvalidDataException>(() => CheckpointReader.Open(path).Dispose());
        Assert.Contains(path, error.Message);
        Assert.Contains(why, error.Message);
    }

}
