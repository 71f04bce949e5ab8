using System;
using System.IO;
using System.Linq;
using Volt.Logging;
using Volt.Runtime.Tests.Training;
using VoltDocExamples;

namespace Volt.Runtime.Tests.Docs;

/// <summary>
/// docs/architecture.md: its custom logger and callback are this folder's code and do what the page
/// says, and its excerpt of the generated fit loop is the generator's output for the Classifier snapshot.
/// </summary>
public sealed class ArchitectureDocExampleTests : IDisposable
{
    private const string Doc = "docs/architecture.md";
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void TheLoggerGetsTheEpochLossesAndTheCallbackStopsFittingBelowTheThreshold()
    {
        // 64 points on y = 2x + 1 for x in [-1, 1).
        var xs = Enumerable.Range(0, 64).Select(i => (i / 32f) - 1f).ToArray();
        var ys = xs.Select(x => (2 * x) + 1).ToArray();
        Seeding.SeedEverything(0);
        using var module = new LineFit();
        var logger = new LastValueLogger();
        var trainer = new Trainer(
            root.Options(200) with { EnableCheckpointing = false },
            callbacks: [new StopBelowLoss("train_loss", 0.05)],
            loggers: [logger]);

        trainer.Fit(module, new PointLoader(xs, ys, batchSize: 16, shuffle: true, seed: 1));

        var (loss, step) = logger.Last["train_loss"];
        Assert.InRange(trainer.CurrentEpoch, 2, 199);
        Assert.True(loss < 0.05, $"the last logged train_loss is {loss}");
        Assert.Equal(trainer.CallbackMetrics["train_loss"], loss, 1e-12);
        Assert.Equal(trainer.GlobalStep - 1, step);
        Assert.Equal(trainer.CurrentEpoch - 1, logger.Last["epoch"].Value, 1e-12);
        Assert.Equal(RunStatus.Success, logger.Status);
    }

    [Fact]
    public void TheExampleCodeIsThisFoldersCode()
    {
        var block = DocCode.Blocks(Doc).Single(b => b.Contains("class LastValueLogger", StringComparison.Ordinal));
        var lines = DocCode.Normalize(block).Split('\n');
        var usings = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal) || l.Length == 0).ToArray();
        var body = string.Join('\n', lines.Skip(usings.Length));
        var file = DocCode.Normalize(File.ReadAllText(Path.Combine(DocCode.RepositoryRoot(), "Runtime.Tests", "Docs", "ArchitectureExample.cs")));
        Assert.Contains(body, file, StringComparison.Ordinal);
        Assert.All(usings.Where(u => u.Length > 0), u => Assert.Contains(u, file.Split('\n')));
    }

    [Fact]
    public void TheFitLoopExcerptIsTheGeneratedRunFit()
    {
        var excerpt = DocCode.Blocks(Doc).Single(b => b.Contains("private void RunFit(", StringComparison.Ordinal));
        var snapshot = File.ReadAllText(Path.Combine(DocCode.RepositoryRoot(), "Generators.Tests", "Snapshots", "Classifier", "Samples.Classifier.g.cs"));
        var start = snapshot.IndexOf("private void RunFit(", StringComparison.Ordinal);
        Assert.True(start >= 0, "The Classifier snapshot has no RunFit.");
        var end = snapshot.IndexOf("\n        }\n", start, StringComparison.Ordinal);
        var generated = snapshot[start..(end + "\n        }".Length)]
            .Replace("global::Volt.Loops.", string.Empty, StringComparison.Ordinal)
            .Replace("global::Volt.Profiling.", string.Empty, StringComparison.Ordinal)
            .Replace("global::Samples.", string.Empty, StringComparison.Ordinal)
            .Replace("global::TorchSharp.", string.Empty, StringComparison.Ordinal);
        Assert.Equal(DocCode.Normalize(generated).Split('\n').Where(l => l.Length > 0), DocCode.Normalize(excerpt).Split('\n').Where(l => l.Length > 0));
    }
}
