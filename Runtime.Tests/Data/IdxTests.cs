using System;
using System.IO;
using TorchSharp;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly DataTempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    [Theory]
    [InlineData("labels-idx1-ubyte")]
    [InlineData("labels-idx1-ubyte.gz")]
    public void Labels_round_trip(string name)
    {
        string path = temp.File(name);
        byte[] labels = [0, 9, 3, 255, 7];
        IdxFiles.Write(path, Idx.LabelsMagic, [labels.Length], labels);

        using var tensor = Idx.ReadLabels(path);
        Assert.Equal(ScalarType.Byte, tensor.dtype);
        Assert.Equal(DeviceType.CPU, tensor.device_type);
        Assert.Equal(new long[] { 5 }, tensor.shape);
        Assert.Equal(labels, tensor.data<byte>().ToArray());
    }

    [Theory]
    [InlineData("images-idx3-ubyte")]
    [InlineData("images-idx3-ubyte.gz")]
    public void Images_round_trip(string name)
    {
        string path = temp.File(name);
        var pixels = new byte[3 * 2 * 4];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)((i * 37) + 1);
        }

        IdxFiles.Write(path, Idx.ImagesMagic, [3, 2, 4], pixels);

        using var tensor = Idx.ReadImages(path);
        Assert.Equal(ScalarType.Byte, tensor.dtype);
        Assert.Equal(new long[] { 3, 2, 4 }, tensor.shape);
        Assert.Equal(pixels, tensor.data<byte>().ToArray());
        Assert.Equal(pixels[(1 * 8) + (1 * 4) + 2], tensor[1, 1, 2].item<byte>());
    }

    [Fact]
    public void Empty_file_with_zero_samples_reads_as_an_empty_tensor()
    {
        string path = temp.File("empty-images");
        IdxFiles.Write(path, Idx.ImagesMagic, [0, 28, 28], []);
        using var tensor = Idx.ReadImages(path);
        Assert.Equal(new long[] { 0, 28, 28 }, tensor.shape);
    }

    [Fact]
    public void Read_accepts_any_unsigned_byte_rank()
    {
        string path = temp.File("matrix.gz");
        IdxFiles.Write(path, 0x00000802, [2, 3], [1, 2, 3, 4, 5, 6]);
        using var tensor = Idx.Read(path);
        Assert.Equal(new long[] { 2, 3 }, tensor.shape);
        Assert.Equal(6, tensor[1, 2].item<byte>());
    }

    [Theory]
    [InlineData("labels")]
    [InlineData("labels.gz")]
    public void Wrong_magic_throws_naming_the_file(string name)
    {
        string path = temp.File(name);
        IdxFiles.Write(path, Idx.LabelsMagic, [4], [1, 2, 3, 4]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("magic", e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("0x00000803", e.Message);
    }

    [Fact]
    public void Unsupported_element_type_throws()
    {
        string path = temp.File("floats");
        IdxFiles.Write(path, 0x00000D01, [1], [0, 0, 0, 0]);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0x0D", e.Message);
    }

    [Theory]
    [InlineData("short-data")]
    [InlineData("short-data.gz")]
    public void Truncated_data_throws_naming_the_file(string name)
    {
        string path = temp.File(name);
        byte[] full = IdxFiles.Encode(Idx.ImagesMagic, [2, 3, 3], new byte[18]);
        IdxFiles.WriteFile(path, full[..^5]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("18", e.Message);
    }

    [Theory]
    [InlineData("short-header", 2)]
    [InlineData("short-header.gz", 2)]
    [InlineData("short-dims", 10)]
    [InlineData("short-dims.gz", 10)]
    public void Truncated_header_throws_naming_the_file(string name, int keep)
    {
        string path = temp.File(name);
        byte[] full = IdxFiles.Encode(Idx.ImagesMagic, [2, 3, 3], new byte[18]);
        IdxFiles.WriteFile(path, full[..keep]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Truncated_gzip_stream_throws_naming_the_file()
    {
        string gz = temp.File("cut.gz");
        var pixels = new byte[64 * 28 * 28];
        new Random(1).NextBytes(pixels);
        IdxFiles.Write(gz, Idx.ImagesMagic, [64, 28, 28], pixels);
        byte[] compressed = File.ReadAllBytes(gz);
        File.WriteAllBytes(gz, compressed[..(compressed.Length / 2)]);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadImages(gz));
        Assert.Contains(gz, e.Message);
    }

    [Theory]
    [InlineData("long")]
    [InlineData("long.gz")]
    public void Trailing_bytes_throw_size_mismatch(string name)
    {
        string path = temp.File(name);
        byte[] content = IdxFiles.Encode(Idx.LabelsMagic, [3], [1, 2, 3, 4, 5]);
        IdxFiles.WriteFile(path, content);

        var e = Assert.Throws<InvalidDataException>(() => Idx.ReadLabels(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("size mismatch", e.Message);
    }

    [Fact]
    public void Tensor_belongs_to_the_callers_scope()
    {
        string path = temp.File("labels");
        IdxFiles.Write(path, Idx.LabelsMagic, [2], [1, 2]);
        Tensor tensor;
        using (torch.NewDisposeScope())
        {
            tensor = Idx.ReadLabels(path);
            Assert.False(tensor.IsInvalid);
        }

        Assert.True(tensor.IsInvalid);
    }
}
