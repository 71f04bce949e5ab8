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
        var console = new StringWriter();
        var errors = new StringWriter();

        var exitCode = SampleCommandLine.Run(["--find-lr", "--root", root.Path, "--no-progress"], console, errors);

        Assert.True(exitCode == 0, errors.ToString());
        // Adam on this MLP trains well around 1e-3 (the sample's default); the sweep's steepest descent lies near it.
        var suggestion = Regex.Match(console.ToString(), @"^suggested_lr: (\S+)$", RegexOptions.Multiline);
        Assert.True(suggestion.Success, console.ToString());
        Assert.InRange(double.Parse(suggestion.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 3e-4, 3e-2);
        using var image = SKBitmap.Decode(Path.Combine(root.Path, "lr_find.png"));
        Assert.Equal(800, image.Width);
        Assert.Equal(600, image.Height);
        Assert.False(Directory.Exists(Path.Combine(root.Path, "runs")), "the finder wrote a run directory");
    }

    public void Dispose() => root.Dispose();
}
