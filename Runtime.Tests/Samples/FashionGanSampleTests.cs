using System;
using System.IO;
using FashionGanSample;
using SkiaSharp;
using Volt.Runtime.Tests.Logging;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Samples;

/// <summary>The GAN sample (manual optimization, two optimizers) on a few real batches, and its PNG grid (SkiaSharp).</summary>
public sealed class FashionGanSampleTests : IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void AShortRunTrainsBothNetworksAndWritesAPngGrid()
    {
        Directory.CreateDirectory(root.Path);
        var output = Path.Combine(root.Path, "grid.png");
        var metrics = GanRun.Run(new GanRun.Options { Epochs = 1, LimitTrainBatches = 15, RootDirectory = root.Path, Output = output, Progress = false }, new StringWriter());

        Assert.True(double.IsFinite(metrics["d_loss_epoch"]) && metrics["d_loss_epoch"] > 0);
        Assert.True(double.IsFinite(metrics["g_loss_epoch"]) && metrics["g_loss_epoch"] > 0);
        Assert.Equal((8 * 28, 8 * 28), PngFile.Size(output));
        using var decoded = SKBitmap.Decode(output);
        Assert.Equal((8 * 28, 8 * 28), (decoded.Width, decoded.Height));
        Assert.Contains(decoded.Pixels, p => p.Red > 0);
    }

    [Fact]
    public void PixelsThatDoNotFillTheImageAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => PngImage.Write(Path.Combine(root.Path, "bad.png"), new byte[5], 2, 2));
        Assert.Contains("2×2", error.Message);
        Assert.False(File.Exists(Path.Combine(root.Path, "bad.png")));
    }

    public void Dispose() => root.Dispose();
}
