using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Volt.Export;

/// <summary>
/// A module's weights as a safetensors file (Hugging Face's format, read by the Python
/// <c>safetensors</c> package and most model hubs): an 8-byte little-endian header length, a UTF-8
/// JSON header mapping each tensor name to <c>{"dtype", "shape", "data_offsets"}</c> (plus an optional
/// <c>"__metadata__"</c> of strings), padded with spaces to a multiple of 8 bytes, then the raw
/// little-endian tensor bytes. Nothing in the file is executed when it is read. See docs/export.md.
/// </summary>
public static class Safetensors
{
    /// <summary>The usual file extension.</summary>
    public const string Extension = ".safetensors";

    /// <summary>The largest header accepted (the reference implementation's limit).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes the state_dict of <paramref name="module"/> to <paramref name="path"/>, atomically: a
    /// failure leaves any previous file untouched.
    /// </summary>
    /// <param name="module">The module.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="metadata">Free-form string pairs stored under <c>__metadata__</c> (for example the format the weights expect); none when null.</param>
    /// <exception cref="IOException">The file could not be written; the message names it.</exception>
    public static void Save(nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var scope = NewDisposeScope();
        var tensors = WeightsFileWriter.CpuStateDict(module);
        var header = Header(tensors, metadata);
        WeightsFileWriter.WriteAtomically(path, "safetensors file", stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var (_, tensor, _) in tensors)
            {
                stream.Write(tensor.bytes);
            }
        });
    }

    /// <summary>Reads a safetensors file.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names the file and the entry.</exception>
    public static StateDict Read(string path) => Read(path, out _);

    /// <summary>Reads a safetensors file and its <c>__metadata__</c> (empty when it has none).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names the file and the entry.</exception>
    public static StateDict Read(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The weights file '{fullPath}' does not exist.", fullPath);
        }

        using var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> lengthBytes = stackalloc byte[8];
        WeightsFileWriter.ReadExactly(stream, lengthBytes, fullPath, "header length");
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes || headerLength > (ulong)(stream.Length - 8))
        {
            throw StateDict.Invalid(fullPath, $"its header length is {headerLength} bytes, but the file has {stream.Length - 8} after the length and at most {MaxHeaderBytes} are accepted; it is not a safetensors file");
        }

        var header = new byte[headerLength];
        WeightsFileWriter.ReadExactly(stream, header, fullPath, "header");
        var entries = ParseHeader(fullPath, header, out metadata);
        var bufferStart = 8 + (long)headerLength;
        var bufferLength = stream.Length - bufferStart;
        CheckLayout(fullPath, entries, bufferLength);

        var tensors = new List<(string Name, Tensor Tensor)>();
        try
        {
            foreach (var entry in entries)
            {
                var tensor = empty(entry.Shape, entry.DType.ScalarType);
                tensors.Add((entry.Name, tensor));
                stream.Position = bufferStart + entry.Begin;
                WeightsFileWriter.ReadExactly(stream, tensor.bytes, fullPath, entry.Name);
            }

            return new StateDict(fullPath, tensors);
        }
        catch
        {
            foreach (var (_, tensor) in tensors)
            {
                tensor.Dispose();
            }

            throw;
        }
    }

    /// <summary>Reads <paramref name="path"/> and copies it into <paramref name="module"/> (see <see cref="StateDict.LoadInto"/>).</summary>
    /// <exception cref="InvalidDataException">The file is unreadable or does not fit the module; the message names the file and the parameter.</exception>
    public static void Load(nn.Module module, string path)
    {
        using var weights = Read(path);
        weights.LoadInto(module);
    }

    private static byte[] Header(List<(string Name, Tensor Tensor, WeightsDType DType)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    writer.WriteString(key, value);
                }

                writer.WriteEndObject();
            }

            long offset = 0;
            foreach (var (name, tensor, dtype) in tensors)
            {
                var end = offset + tensor.numel() * dtype.ElementSize;
                writer.WriteStartObject(name);
                writer.WriteString("dtype", dtype.Safetensors);
                writer.WriteStartArray("shape");
                foreach (var size in tensor.shape)
                {
                    writer.WriteNumberValue(size);
                }

                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }

            writer.WriteEndObject();
        }

        // The data that follows starts 8-byte aligned; the format pads the header with spaces.
        while (buffer.Length % 8 != 0)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    private sealed record Entry(string Name, WeightsDType DType, long[] Shape, long Begin, long End);

    private static List<Entry> ParseHeader(string path, byte[] header, out IReadOnlyDictionary<string, string> metadata)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException error)
        {
            throw StateDict.Invalid(path, "its header is not valid JSON (" + error.Message + ")", error);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw StateDict.Invalid(path, "its header is not a JSON object");
            }

            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            var found = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!names.Add(property.Name))
                {
                    throw StateDict.Invalid(path, $"its header names '{property.Name}' twice");
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(path, property.Value, found);
                    continue;
                }

                entries.Add(ParseEntry(path, property.Name, property.Value));
            }

            metadata = found;
            return entries;
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw StateDict.Invalid(path, $"its {MetadataKey} is not an object of strings");
        }

        foreach (var pair in value.EnumerateObject())
        {
            metadata[pair.Name] = pair.Value.ValueKind == JsonValueKind.String
                ? pair.Value.GetString()!
                : throw StateDict.Invalid(path, $"its {MetadataKey} entry '{pair.Name}' is not a string");
        }
    }

    private static Entry ParseEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array
            || !value.TryGetProperty("data_offsets", out var offsetsElement) || offsetsElement.ValueKind != JsonValueKind.Array)
        {
            throw StateDict.Invalid(path, $"the header entry '{name}' needs \"dtype\" (a string), \"shape\" and \"data_offsets\" (arrays)");
        }

        var dtype = WeightsDType.FromSafetensors(dtypeElement.GetString()!)
            ?? throw StateDict.Invalid(path, $"the tensor '{name}' has dtype '{dtypeElement.GetString()}', which is not supported (supported: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        var shape = NonNegativeIntegers(path, name, "shape", shapeElement);
        var offsets = NonNegativeIntegers(path, name, "data_offsets", offsetsElement);
        if (offsets.Length != 2 || offsets[1] < offsets[0])
        {
            throw StateDict.Invalid(path, $"the tensor '{name}' has data_offsets [{string.Join(", ", offsets)}]; it needs [begin, end] with begin <= end");
        }

        var expected = checked(WeightsDType.ElementCount(shape) * dtype.ElementSize);
        if (offsets[1] - offsets[0] != expected)
        {
            throw StateDict.Invalid(path, $"the tensor '{name}' spans {offsets[1] - offsets[0]} bytes, but shape [{string.Join(", ", shape)}] of {dtype.Safetensors} needs {expected}");
        }

        return new Entry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] NonNegativeIntegers(string path, string name, string field, JsonElement array)
        => array.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n >= 0
            ? n
            : throw StateDict.Invalid(path, $"the tensor '{name}' has a {field} that is not a list of non-negative integers")).ToArray();

    /// <summary>The tensors must tile the data buffer exactly: no gaps, no overlaps, nothing after the last one.</summary>
    private static void CheckLayout(string path, List<Entry> entries, long bufferLength)
    {
        long expected = 0;
        foreach (var entry in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (entry.Begin != expected)
            {
                throw StateDict.Invalid(path, $"the tensor '{entry.Name}' starts at byte {entry.Begin} of the data, but the previous tensor ends at {expected} (tensors must not overlap or leave gaps)");
            }

            expected = entry.End;
        }

        if (expected != bufferLength)
        {
            throw StateDict.Invalid(path, $"the tensors cover {expected} bytes of data, but the file has {bufferLength} after the header (truncated or with trailing bytes)");
        }
    }
}
