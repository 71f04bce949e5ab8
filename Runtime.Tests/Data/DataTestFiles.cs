using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Volt.Runtime.Tests.Data;

/// <summary>A fresh temporary directory, deleted with everything in it on dispose.</summary>
internal sealed class DataTempDirectory : IDisposable
{
    public DataTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "volt-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Writes IDX files for the tests.</summary>
internal static class IdxFiles
{
    public static byte[] Encode(int magic, int[] dimensions, byte[] data)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(bytes, magic);
        for (int i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        data.CopyTo(bytes, 4 + (4 * dimensions.Length));
        return bytes;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/>, gzipped when the name ends in .gz.</summary>
    public static void WriteFile(string path, byte[] content)
    {
        if (path.EndsWith(".gz", StringComparison.Ordinal))
        {
            using var file = System.IO.File.Create(path);
            using var gzip = new GZipStream(file, CompressionLevel.Fastest);
            gzip.Write(content);
        }
        else
        {
            System.IO.File.WriteAllBytes(path, content);
        }
    }

    public static void Write(string path, int magic, int[] dimensions, byte[] data)
        => WriteFile(path, Encode(magic, dimensions, data));

    /// <summary>
    /// Writes a tiny Fashion-MNIST look-alike: image <c>i</c> of a set is filled with the value <c>i</c> and has
    /// label <c>i % 10</c>, so a split can be traced back to the original indices.
    /// </summary>
    public static void WriteFakeFashionMnist(string directory, int trainCount, int testCount, bool gzip)
    {
        string suffix = gzip ? ".gz" : string.Empty;
        WriteSet(directory, "train", trainCount, suffix);
        WriteSet(directory, "t10k", testCount, suffix);
    }

    private static void WriteSet(string directory, string prefix, int count, string suffix)
    {
        var pixels = new byte[count * 28 * 28];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            pixels.AsSpan(i * 28 * 28, 28 * 28).Fill((byte)i);
            labels[i] = (byte)(i % 10);
        }

        Write(Path.Combine(directory, $"{prefix}-images-idx3-ubyte{suffix}"), 0x00000803, [count, 28, 28], pixels);
        Write(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte{suffix}"), 0x00000801, [count], labels);
    }
}

/// <summary>Tensor assertions (TorchSharp's <c>torch.equal</c> is element-wise, unlike PyTorch's).</summary>
internal static class DataAssert
{
    public static void TensorsEqual(TorchSharp.torch.Tensor expected, TorchSharp.torch.Tensor actual)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        using var same = expected.eq(actual);
        using var all = same.all();
        Assert.True(all.item<bool>(), "The tensors have the same shape and type but different values.");
    }
}
