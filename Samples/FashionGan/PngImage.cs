using System;
using System.IO;
using System.IO.Compression;
using System.Text;
using static TorchSharp.torch;

namespace FashionGanSample;

/// <summary>Writes 8-bit grayscale PNG files (no dependencies: a PNG is a few zlib-compressed chunks with CRCs).</summary>
public static class PngImage
{
    private static readonly byte[] Signature = [137, 80, 78, 71, 13, 10, 26, 10];

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

    /// <summary>Writes <paramref name="gray"/> (row-major, one byte per pixel) as a PNG file.</summary>
    public static void Write(string path, byte[] gray, int width, int height)
    {
        if (gray.Length != width * height)
        {
            throw new ArgumentException($"{gray.Length} pixels do not fill {width}×{height}.", nameof(gray));
        }

        using var file = File.Create(path);
        file.Write(Signature);

        var header = new byte[13];
        WriteBigEndian(header, 0, (uint)width);
        WriteBigEndian(header, 4, (uint)height);
        header[8] = 8; // bits per sample
        header[9] = 0; // grayscale
        WriteChunk(file, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // filter: none
                zlib.Write(gray, y * width, width);
            }
        }

        WriteChunk(file, "IDAT", compressed.ToArray());
        WriteChunk(file, "IEND", []);
    }

    private static void WriteChunk(Stream output, string type, byte[] data)
    {
        var length = new byte[4];
        WriteBigEndian(length, 0, (uint)data.Length);
        output.Write(length);
        var typeBytes = Encoding.ASCII.GetBytes(type);
        output.Write(typeBytes);
        output.Write(data);
        var crc = new byte[4];
        WriteBigEndian(crc, 0, Crc32(typeBytes, data));
        output.Write(crc);
    }

    private static void WriteBigEndian(byte[] buffer, int offset, uint value)
    {
        buffer[offset] = (byte)(value >> 24);
        buffer[offset + 1] = (byte)(value >> 16);
        buffer[offset + 2] = (byte)(value >> 8);
        buffer[offset + 3] = (byte)value;
    }

    /// <summary>The CRC-32 (ISO-HDLC) over the chunk type and data, as PNG requires.</summary>
    internal static uint Crc32(byte[] type, byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var part in new[] { type, data })
        {
            foreach (var b in part)
            {
                crc ^= b;
                for (var bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
                }
            }
        }

        return crc ^ 0xFFFFFFFFu;
    }
}
