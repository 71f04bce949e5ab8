using System;
using System.Runtime.InteropServices;
using SkiaSharp;
using static TorchSharp.torch;

namespace FashionGanSample;

/// <summary>Writes image grids as 8-bit grayscale PNG files.</summary>
public static class PngImage
{
    /// <summary>Writes images (N×1×H×W, pixels in [-1, 1]) as a grid with <paramref name="columns"/> columns.</summary>
    public static void WriteGrid(string path, Tensor images, int columns)
    {
        using var scope = NewDisposeScope();
        var count = (int)images.size(0);
        var height = (int)images.size(2);
        var width = (int)images.size(3);
        var rows = (count + columns - 1) / columns;
        var pixels = images.detach().cpu().add(1).mul(127.5).clamp(0, 255).to(ScalarType.Byte).contiguous().data<byte>().ToArray();

        var gridWidth = columns * width;
        var gridHeight = rows * height;
        var grid = new byte[gridWidth * gridHeight];
        for (var image = 0; image < count; image++)
        {
            var top = image / columns * height;
            var left = image % columns * width;
            for (var y = 0; y < height; y++)
            {
                Array.Copy(pixels, (image * height * width) + (y * width), grid, ((top + y) * gridWidth) + left, width);
            }
        }

        Write(path, grid, gridWidth, gridHeight);
    }

    /// <summary>Writes <paramref name="gray"/> (row-major, one byte per pixel) as a grayscale PNG file, encoded by SkiaSharp (ScottPlot's renderer).</summary>
    public static void Write(string path, byte[] gray, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(gray);
        if (width <= 0 || height <= 0 || gray.Length != width * height)
        {
            throw new ArgumentException($"The pixels ({gray.Length}) do not fill a {width}×{height} image.", nameof(gray));
        }

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
        {
            Marshal.Copy(gray, y * width, bitmap.GetPixels() + (y * bitmap.RowBytes), width);
        }

        using var png = bitmap.Encode(SKEncodedImageFormat.Png, quality: 100);
        System.IO.File.WriteAllBytes(path, png.ToArray());
    }
}
