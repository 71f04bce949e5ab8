using System;
using System.Buffers.Binary;
using System.IO;
using System.Numerics;

namespace Volt.Logging.TensorBoard;

/// <summary>
/// Writes TFRecord framing, the container of TensorBoard event files: per record the little-endian
/// <c>uint64</c> length, the masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data
/// (tensorboard/summary/writer/record_writer.py).
/// </summary>
internal sealed class TfRecordWriter(Stream output) : IDisposable
{
    /// <summary>Appends one record holding <paramref name="data"/>.</summary>
    public void Write(ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(data));
        output.Write(header);
        output.Write(data);
        output.Write(footer);
    }

    /// <summary>Hands the buffered records to the operating system.</summary>
    public void Flush() => output.Flush();

    public void Dispose() => output.Dispose();

    /// <summary>TFRecord's masked CRC-32C (Castagnoli): the checksum rotated right by 15 bits plus <c>0xA282EAD8</c>.</summary>
    internal static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    /// <summary>CRC-32C with the standard initial value and final XOR (<see cref="BitOperations.Crc32C(uint, byte)"/> does the reflected polynomial step).</summary>
    internal static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[sizeof(ulong)..];
        }

        foreach (var value in data)
        {
            crc = BitOperations.Crc32C(crc, value);
        }

        return ~crc;
    }
}
