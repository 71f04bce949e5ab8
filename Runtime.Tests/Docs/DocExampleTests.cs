using System;
using System.IO;
using System.Linq;
using VoltDocExamples;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Docs;

/// <summary>
/// The examples of docs/callbacks.md and docs/data-loaders.md: their code is this folder's code
/// (checked line by line), so it compiles, and it runs and does what the docs say.
/// </summary>
public sealed class DocExampleTests : IDisposable
{
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void PointLoaderServesEveryPointOncePerEpochInAnOrderFixedBySeedAndEpoch()
    {
        var xs = Enumerable.Range(0, 10).Select(i => (float)i).ToArray();
        var loader = new PointLoader(xs, xs.Select(x => -x).ToArray(), batchSize: 4, shuffle: true, seed: 3);
        Assert.Equal(3, loader.BatchCount);

        var first = Order(loader, epoch: 0);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (float)i), first.Order());
        Assert.NotEqual(xs, first);
        Assert.Equal(first, Order(loader, epoch: 0));
        Assert.NotEqual(first, Order(loader, epoch: 1));
        Assert.Equal(xs, Order(new PointLoader(xs, xs, batchSize: 4, shuffle: false), epoch: 0));
    }

    [Fact]
    public void TheCallbackStopsAtTheLossTargetAndSeesEveryOptimizerStep()
    {
        var (trainer, target) = LineFitTraining.Run(root.Options(200));

        Assert.True(trainer.CallbackMetrics["train_loss"] < 0.001);
        Assert.InRange(trainer.CurrentEpoch, 2, 199);
        Assert.Equal(trainer.CurrentEpoch - 1, target.StoppedEpoch);
        Assert.Equal(trainer.CurrentEpoch, target.EpochsSeen);
        Assert.Equal(trainer.GlobalStep, target.GradientNorms.Count);
        Assert.All(target.GradientNorms, norm => Assert.True(double.IsFinite(norm) && norm >= 0));
        var header = File.ReadLines(Path.Combine(trainer.LogDir!, "metrics.csv")).First().Split(',');
        Assert.Contains("grad_norm", header);
    }

    [Theory]
    [InlineData("docs/callbacks.md")]
    [InlineData("docs/data-loaders.md")]
    public void EveryCodeBlockOfTheDocIsCodeOfThisFolder(string doc)
    {
        var repository = DocCode.RepositoryRoot();
        var blocks = DocCode.Blocks(doc);
        Assert.NotEmpty(blocks);

        var folder = Path.Combine(repository, "Runtime.Tests", "Docs");
        var code = Directory.GetFiles(folder, "*.cs").Select(f => DocCode.Normalize(File.ReadAllText(f))).ToList();
        foreach (var block in blocks)
        {
            var lines = DocCode.Normalize(block).Split('\n');
            var usings = lines.TakeWhile(l => l.StartsWith("using ", StringComparison.Ordinal) || l.Length == 0).ToArray();
            var body = string.Join('\n', lines.Skip(usings.Length));
            var file = code.FirstOrDefault(c => c.Contains(body, StringComparison.Ordinal));
            Assert.True(file is not null, $"This code block of {doc} is not in {folder}:\n{block}");
            Assert.All(usings.Where(u => u.Length > 0), u => Assert.Contains(u, file!.Split('\n')));
        }
    }

    private static float[] Order(PointLoader loader, int epoch)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var batches = loader.OpenEpoch(epoch, defaultSeed: 0);
        return Enumerable.Range(0, batches.Count).SelectMany(i => batches.GetBatch(i).X.squeeze(1).data<float>().ToArray()).ToArray();
    }
}
