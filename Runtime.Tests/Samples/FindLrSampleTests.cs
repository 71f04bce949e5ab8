using System;
using System.IO;
using System.Text.RegularExpressions;
using FashionMnistSample;
using SkiaSharp;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Samples;

/// <summary>The Fashion-MNIST sample's <c>--find-lr</c> on the real data set.</summary>
public sealed class FindLrSampleTests : IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void Find_lr_prints_a_suggestion_draws_the_curve_and_writes_no_run()
    {
        var options = SampleOptions.Parse(["--find-lr", "--root", root.Path, "--no-progress"]);
        Assert.True(options.FindLr);
        var console = new StringWriter();

        var result = FindLr.Run(options, console);

        // Adam on this MLP trains well around 1e-3 (the sample's default); the sweep's steepest descent lies near it.
        Assert.InRange(result.Finder.Suggestion!.Value, 3e-4, 3e-2);
        Assert.Matches(new Regex(@"^suggested_lr: \d", RegexOptions.Multiline), console.ToString());
        using var image = SKBitmap.Decode(result.PlotPath);
        Assert.Equal(800, image.Width);
        Assert.Equal(600, image.Height);
        Assert.False(Directory.Exists(Path.Combine(root.Path, "runs")), "the finder wrote a run directory");
    }

    public void Dispose() => root.Dispose();
}
