using System;
using System.IO;
using System.IO.Compression;
using System.Text;
using FashionGanSample;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Samples;

/// <summary>The GAN sample (manual optimization, two optimizers) on a few real batches, and its PNG writer.</summary>
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
        var (width, height, pixels) = ReadGrayPng(File.ReadAllBytes(output));
        Assert.Equal((8 * 28, 8 * 28), (width, height));
        Assert.Equal(width * height, pixels.Length);
        Assert.Contains(pixels, p => p > 0);
    }

    [Fact]
    public void PngChunksCarryTheStandardCrc()
    {
        // The CRC of an empty IEND chunk is fixed by the PNG specification.
        Assert.Equal(0xAE426082u, PngImage.Crc32(Encoding.ASCII.GetBytes("IEND"), []));
        Assert.Throws<ArgumentException>(() => PngImage.Write(Path.Combine(root.Path, "bad.png"), new byte[5], 2, 2));
    }

    /// <summary>A minimal reader for the files PngImage writes: checks the signature and decompresses IDAT.</summary>
    private static (int Width, int Height, byte[] Pixels) ReadGrayPng(byte[] file)
    {
        Assert.Equal(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }, file[..8]);
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        for (var offset = 8; offset < file.Length;)
        {
            var length = (file[offset] << 24) | (file[offset + 1] << 16) | (file[offset + 2] << 8) | file[offset + 3];
            var type = Encoding.ASCII.GetString(file, offset + 4, 4);
            var data = file.AsSpan(offset + 8, length);
            if (type == "IHDR")
            {
                width = (data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3];
                height = (data[4] << 24) | (data[5] << 16) | (data[6] << 8) | data[7];
                Assert.Equal(8, data[8]);
                Assert.Equal(0, data[9]);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            offset += 12 + length;
        }

        idat.Position = 0;
        using var zlib = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        zlib.CopyTo(raw);
        var rows = raw.ToArray();
        Assert.Equal(height * (width + 1), rows.Length);
        var pixels = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(0, rows[y * (width + 1)]);
            Array.Copy(rows, (y * (width + 1)) + 1, pixels, y * width, width);
        }

        return (width, height, pixels);
    }

    public void Dispose() => root.Dispose();
}
