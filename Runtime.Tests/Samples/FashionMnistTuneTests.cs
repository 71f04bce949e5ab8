using System;
using System.IO;
using System.Linq;
using FashionMnistSample;
using Volt.Runtime.Tests.Training;
using Volt.Search;
using Volt.Search.Storages;

namespace Volt.Runtime.Tests.Samples;

/// <summary>The sample's <c>tune</c> command on a few batches of the real data set.</summary>
public sealed class FashionMnistTuneTests : IDisposable
{
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void TuneSearchesTheDeclaredSpaceAndKeepsTheStudyInSqliteUnderTheRoot()
    {
        var console = new StringWriter();
        var errors = new StringWriter();
        var exitCode = SampleCommandLine.Run(["tune", "--trials", "2", "--epochs", "1", "--limit-train-batches", "3", "--limit-val-batches", "1", "--root", root.Path, "--seed", "4"], console, errors);
        Assert.True(exitCode == 0, errors.ToString());

        using var storage = new SqliteStudyStorage(Path.Combine(root.Path, SampleTune.StudyFileName));
        var trials = new Study(new StudyOptions { Name = "fashion_mnist_mlp", Direction = StudyDirection.Maximize, Storage = storage }).Trials;
        Assert.Equal(2, trials.Count);
        Assert.All(trials, t =>
        {
            Assert.Equal(TrialState.Complete, t.State);
            Assert.InRange((double)t.Params["learningRate"]!, 1e-4, 1e-2);
            Assert.Equal(0, (long)t.Params["hiddenSize"]! % 32);
            Assert.InRange(t.Value!.Value, 0.0, 1.0);
        });

        var studyDirectory = Path.Combine(root.Path, "studies", "fashion_mnist_mlp");
        Assert.True(File.Exists(Path.Combine(studyDirectory, StudyReport.TableFileName)));
        Assert.True(File.Exists(Path.Combine(studyDirectory, StudyReport.HistoryFileName)));
        Assert.Contains("best is trial", console.ToString());
    }

    [Fact]
    public void TrialsNeedTheTuneCommand()
    {
        var errors = new StringWriter();
        Assert.Equal(1, SampleCommandLine.Run(["--trials", "3"], new StringWriter(), errors));
        Assert.Contains("--trials", errors.ToString(), StringComparison.Ordinal);
    }
}
