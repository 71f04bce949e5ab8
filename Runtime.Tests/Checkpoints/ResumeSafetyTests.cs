using System;
using System.IO;
using System.Linq;
using Volt.Callbacks;
using Volt.Checkpoints;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>Resume never harms another run's files, never continues another run silently, and says what it does.</summary>
public sealed class ResumeSafetyTests() : TrainingTest(samples: 64)
{
    private Trainer FitScripted(double[] scores, int epochs, string? ckptPath, string root, params Callback[] callbacks)
    {
        Seeding.SeedEverything(2);
        using var module = new ScriptedModule { Scores = scores };
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var trainer = new Trainer(Root.Options(epochs) with { DefaultRootDir = root, RunName = "r", NumSanityValSteps = 0, Seed = 3 }, callbacks: callbacks);
        trainer.Fit(module, train, validation, ckptPath);
        return trainer;
    }

    private (Trainer Trainer, string Console) FitRegression(double learningRate, int epochs, string? ckptPath, long seed = 3)
    {
        Seeding.SeedEverything(2);
        using var module = new Regression(learningRate: learningRate);
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: true);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var console = new StringWriter();
        var trainer = new Trainer(Root.Options(epochs) with { RunName = "reg", Seed = seed }, console: console);
        trainer.Fit(module, train, validation, ckptPath);
        return (trainer, console.ToString());
    }

    private static string[] Files(string directory) => Directory.GetFiles(directory).Select(f => Path.GetFileName(f)!).Order().ToArray();

    [Fact]
    public void ResumingNeverDeletesCheckpointsOfTheRunItCameFromOrOfACopiedRun()
    {
        var first = FitScripted([3, 2, 1], 3, null, Root.Path, new ModelCheckpoint { Monitor = "score", SaveTopK = 2 });
        var original = Path.Combine(first.LogDir!, "checkpoints");
        var before = Files(original);
        Assert.Equal(3, before.Length);

        // A copy of the whole root, resumed there, must not touch the original either.
        var copy = Path.Combine(Root.Path, "copy");
        CopyDirectory(Path.Combine(Root.Path, "runs"), Path.Combine(copy, "runs"));

        var resumed = FitScripted([0.5, 0.4], 5, "last", Root.Path, new ModelCheckpoint { Monitor = "score", SaveTopK = 2 });
        Assert.Equal(before, Files(original));
        Assert.Equal(3, Files(Path.Combine(resumed.LogDir!, "checkpoints")).Length);

        var originalInCopy = Path.Combine(copy, "runs", "r", "version_0", "checkpoints");
        FitScripted([0.5, 0.4], 5, Path.Combine(originalInCopy, "last.ckpt"), copy, new ModelCheckpoint { Monitor = "score", SaveTopK = 2 });
        Assert.Equal(before, Files(original));
        Assert.Equal(before, Files(originalInCopy));
    }

    [Fact]
    public void ResumingInTheSameDirectoryStillPrunesItsOwnTopK()
    {
        var directory = Path.Combine(Root.Path, "shared");
        FitScripted([3, 2], 2, null, Root.Path, new ModelCheckpoint { Monitor = "score", SaveTopK = 1, DirPath = directory });
        FitScripted([1], 3, Path.Combine(directory, "last.ckpt"), Root.Path, new ModelCheckpoint { Monitor = "score", SaveTopK = 1, DirPath = directory });
        Assert.Equal(2, Files(directory).Length);
    }

    [Fact]
    public void LastAlwaysNamesABestCheckpointThatExists()
    {
        // As in the sample: one callback ranks at validation ends, another writes last.ckpt every 2 steps,
        // so the final step's save happens before the final validation replaces the best.
        FitScripted([3, 2, 1], 3, null, Root.Path, new ModelCheckpoint { Monitor = "score", SaveLast = false }, new ModelCheckpoint { EveryNTrainSteps = 2, SaveTopK = 0 });
        var again = FitScripted([1], 3, "best", Root.Path, new ModelCheckpoint { Monitor = "score", SaveLast = false });
        Assert.Equal(3 * 4, again.GlobalStep);
    }

    [Fact]
    public void LastRefusesCandidatesOfDifferentRunsAndListsThem()
    {
        FitRegression(0.05, 2, null);
        FitRegression(0.1, 2, null, seed: 4);
        var error = Assert.Throws<InvalidOperationException>(() => FitRegression(0.05, 3, "last"));
        Assert.Contains("version_0", error.Message);
        Assert.Contains("version_1", error.Message);
        Assert.Contains("learningRate", error.Message);
    }

    [Fact]
    public void TheResumedFileAndOverriddenHyperparametersArePrinted()
    {
        var (first, _) = FitRegression(0.05, 2, null);
        var path = Path.Combine(first.LogDir!, "checkpoints", "last.ckpt");
        var (resumed, console) = FitRegression(0.5, 3, path);
        Assert.Contains("Resuming from " + path, console);
        Assert.Contains("learningRate", console);
        Assert.Contains("0.5", console);
        Assert.Contains("0.05", console);

        // What the resumed run used is recorded: the optimizer's learning rate came from the checkpoint.
        using var written = CheckpointReader.Open(Path.Combine(resumed.LogDir!, "checkpoints", "last.ckpt"));
        var rates = written.Root.GetProperty("optimizers")[0].GetProperty("learningRates");
        Assert.Equal(0.05, rates[0].GetDouble(), 1e-12);
        Assert.True(File.Exists(Path.Combine(resumed.LogDir!, "resume.json")));
    }

    [Fact]
    public void AFailedResumeLeavesNoEmptyVersionDirectory()
    {
        Assert.Throws<FileNotFoundException>(() => FitRegression(0.05, 1, Path.Combine(Root.Path, "nothing.ckpt")));
        var runs = Path.Combine(Root.Path, "runs", "reg");
        Assert.True(!Directory.Exists(runs) || Directory.GetDirectories(runs).Length == 0, "a version directory was left behind");
    }

    [Fact]
    public void StrayTemporaryFilesOfKilledWritesAreRemovedButOthersAreKept()
    {
        var (first, _) = FitRegression(0.05, 1, null);
        var directory = Path.Combine(first.LogDir!, "checkpoints");
        var stray = Path.Combine(directory, ".last.ckpt.1a2b3c4d.tmp");
        var foreign = Path.Combine(directory, ".notes.tmp");
        var busy = Path.Combine(directory, ".epoch=0-step=4.ckpt.99887766.tmp");
        File.WriteAllBytes(stray, new byte[100]);
        File.WriteAllBytes(foreign, new byte[10]);
        using (var writer = new FileStream(busy, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            // A temporary file another trainer is writing right now is locked, and stays.
            FitRegression(0.05, 2, "last");
            Assert.True(File.Exists(busy));
        }

        Assert.False(File.Exists(stray));
        Assert.True(File.Exists(foreign));
    }

    [Fact]
    public void NearMissesAndDirectoriesGetClearMessages()
    {
        var nearMiss = Assert.Throws<FileNotFoundException>(() => FitRegression(0.05, 1, "lats"));
        Assert.Contains("did you mean \"last\"?", nearMiss.Message);
        var best = Assert.Throws<FileNotFoundException>(() => FitRegression(0.05, 1, "Best"));
        Assert.Contains("did you mean \"best\"?", best.Message);

        Directory.CreateDirectory(Root.Path);
        var directory = Assert.ThrowsAny<IOException>(() => FitRegression(0.05, 1, Root.Path));
        Assert.Contains("is a directory", directory.Message);
        Assert.DoesNotContain("does not exist", directory.Message);
    }

    [Fact]
    public void AMalformedManifestFieldNamesTheFileAndTheField()
    {
        var (first, _) = FitRegression(0.05, 1, null);
        var good = Path.Combine(first.LogDir!, "checkpoints", "last.ckpt");
        var edited = Path.Combine(Root.Path, "string-epoch.ckpt");
        CheckpointTampering.ChangeManifest(good, edited, manifest => manifest["loop"]!["epoch"] = "two");
        var error = Assert.Throws<InvalidDataException>(() => FitRegression(0.05, 2, edited));
        Assert.Contains(edited, error.Message);
        Assert.Contains("loop.epoch", error.Message);
        Assert.DoesNotContain("requires an element of type", error.Message);

        var stringRate = Path.Combine(Root.Path, "string-learning-rate.ckpt");
        CheckpointTampering.ChangeManifest(good, stringRate, manifest => manifest["hyperparameters"]!["learningRate"] = "fast");
        var loadError = Assert.Throws<InvalidDataException>(() => Regression.LoadFromCheckpoint(stringRate).Dispose());
        Assert.Contains(stringRate, loadError.Message);
        Assert.Contains("hyperparameters.learningRate", loadError.Message);
    }

    [Fact]
    public void LoadFromCheckpointOfAnotherClassNamesTheClassItWasSavedFrom()
    {
        var first = FitScripted([1], 1, null, Root.Path);
        var path = Path.Combine(first.LogDir!, "checkpoints", "last.ckpt");
        var error = Assert.Throws<InvalidDataException>(() => Regression.LoadFromCheckpoint(path).Dispose());
        Assert.Contains(path, error.Message);
        Assert.Contains(typeof(ScriptedModule).FullName!, error.Message);
        Assert.DoesNotContain("different version", error.Message);
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var directory in Directory.GetDirectories(source, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(source, target, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(source, target, StringComparison.Ordinal));
        }
    }
}
