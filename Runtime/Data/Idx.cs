using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Data;

/// <summary>
/// Reads files in the IDX format of MNIST and Fashion-MNIST: a big-endian header (two zero bytes, an element
/// type byte, the number of dimensions, then each dimension as a 32-bit integer) followed by the elements.
/// Only unsigned-byte elements (type <c>0x08</c>) are supported. A file whose name ends in <c>.gz</c> is
/// gunzipped while it is read.
/// </summary>
/// <remarks>
/// The elements are read straight into the memory of a new CPU uint8 tensor, which belongs to the caller's
/// current dispose scope (if any). Every problem with a file's contents is reported as an
/// <see cref="InvalidDataException"/> whose message starts with the file's path.
/// </remarks>
public static class Idx
{
    /// <summary>The magic number of an unsigned-byte vector, such as a label file.</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The magic number of an unsigned-byte three-dimensional array, such as an image file.</summary>
    public const int ImagesMagic = 0x00000803;

    private const int UnsignedByteType = 0x08;
    private const int FileBufferSize = 1 << 20;

    /// <summary>Reads a label file (magic <c>0x00000801</c>).</summary>
    /// <param name="path">The file; gunzipped when its name ends in <c>.gz</c>.</param>
    /// <returns>A CPU uint8 tensor of shape <c>[N]</c>.</returns>
    /// <exception cref="InvalidDataException">The file is not a label file, is truncated or has trailing data.</exception>
    public static Tensor ReadLabels(string path) => Read(path, LabelsMagic);

    /// <summary>Reads an image file (magic <c>0x00000803</c>).</summary>
    /// <param name="path">The file; gunzipped when its name ends in <c>.gz</c>.</param>
    /// <returns>A CPU uint8 tensor of shape <c>[N, rows, columns]</c>.</returns>
    /// <exception cref="InvalidDataException">The file is not an image file, is truncated or has trailing data.</exception>
    public static Tensor ReadImages(string path) => Read(path, ImagesMagic);

    /// <summary>Reads an unsigned-byte IDX file with any number of dimensions.</summary>
    /// <param name="path">The file; gunzipped when its name ends in <c>.gz</c>.</param>
    /// <returns>A CPU uint8 tensor with the file's dimensions.</returns>
    /// <exception cref="InvalidDataException">The file is not an unsigned-byte IDX file, is truncated or has trailing data.</exception>
    public static Tensor Read(string path) => Read(path, null);

    private static Tensor Read(string path, int? expectedMagic)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        bool gzipped = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileBufferSize, FileOptions.SequentialScan);
        using Stream stream = gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return ReadFrom(stream, path, expectedMagic, gzipped ? null : file.Length);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // GZipStream reports corrupt compressed data without naming the file.
            throw new InvalidDataException($"{path}: the gzip data is corrupt: {e.Message}", e);
        }
    }

    private static Tensor ReadFrom(Stream stream, string path, int? expectedMagic, long? fileLength)
    {
        Span<byte> word = stackalloc byte[4];
        if (stream.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
        {
            throw new InvalidDataException($"{path}: the file is truncated: it is shorter than the 4-byte IDX magic number.");
        }

        int magic = BinaryPrimitives.ReadInt32BigEndian(word);
        if (expectedMagic is int expected && magic != expected)
        {
            throw new InvalidDataException(
                $"{path}: wrong magic number 0x{magic:X8}; expected 0x{expected:X8} ({Describe(expected)}).");
        }

        if (word[0] != 0 || word[1] != 0)
        {
            throw new InvalidDataException($"{path}: wrong magic number 0x{magic:X8}; an IDX file starts with two zero bytes.");
        }

        if (word[2] != UnsignedByteType)
        {
            throw new InvalidDataException(
                $"{path}: unsupported IDX element type 0x{word[2]:X2} (magic number 0x{magic:X8}); only unsigned bytes (0x08) are supported.");
        }

        int rank = word[3];
        if (rank == 0)
        {
            throw new InvalidDataException($"{path}: the IDX header declares no dimensions (magic number 0x{magic:X8}).");
        }

        var shape = new long[rank];
        long elementCount = 1;
        for (int d = 0; d < rank; d++)
        {
            if (stream.ReadAtLeast(word, 4, throwOnEndOfStream: false) < 4)
            {
                throw new InvalidDataException($"{path}: the file is truncated: its header declares {rank} dimensions but ends after {d}.");
            }

            int size = BinaryPrimitives.ReadInt32BigEndian(word);
            if (size < 0)
            {
                throw new InvalidDataException($"{path}: dimension {d} has a negative size ({size}).");
            }

            shape[d] = size;
            elementCount = elementCount * size;
            if (elementCount > int.MaxValue)
            {
                throw new InvalidDataException($"{path}: the dimensions [{string.Join(", ", shape[..(d + 1)])}...] hold more than {int.MaxValue} bytes, more than this reader supports.");
            }
        }

        long headerLength = 4 + (4L * rank);
        if (fileLength is long length && length != headerLength + elementCount)
        {
            long present = length - headerLength;
            throw new InvalidDataException(present < elementCount
                ? $"{path}: the file is truncated: its header [{string.Join(", ", shape)}] promises {elementCount} bytes of data but only {present} are present."
                : $"{path}: size mismatch: its header [{string.Join(", ", shape)}] promises {elementCount} bytes of data but {present} are present ({present - elementCount} trailing bytes).");
        }

        var tensor = torch.empty(shape, ScalarType.Byte);
        try
        {
            if (elementCount > 0)
            {
                int read = stream.ReadAtLeast(tensor.bytes, (int)elementCount, throwOnEndOfStream: false);
                if (read < elementCount)
                {
                    throw new InvalidDataException(
                        $"{path}: the file is truncated: its header [{string.Join(", ", shape)}] promises {elementCount} bytes of data but only {read} are present.");
                }
            }

            if (fileLength is null && stream.ReadByte() >= 0)
            {
                throw new InvalidDataException(
                    $"{path}: size mismatch: the file holds more than the {elementCount} bytes of data its header [{string.Join(", ", shape)}] promises.");
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static string Describe(int magic) => magic switch
    {
        LabelsMagic => "IDX unsigned-byte labels, one dimension",
        ImagesMagic => "IDX unsigned-byte images, three dimensions",
        _ => "IDX",
    };
}
