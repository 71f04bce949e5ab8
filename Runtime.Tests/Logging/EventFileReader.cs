using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TensorBoardReference;

namespace Volt.Runtime.Tests.Logging;

/// <summary>
/// An independent TensorBoard event file reader: TFRecord framing with both CRCs checked by a bitwise
/// CRC-32C (not the runtime's), records parsed with TensorBoard's own protos (namespace TensorBoardReference).
/// </summary>
internal static class EventFileReader
{
    public static IReadOnlyList<Event> ReadAll(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            var header = bytes.AsSpan(offset, 12);
            var length = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(header));
            Assert.Equal(MaskedCrc32C(header[..8]), BinaryPrimitives.ReadUInt32LittleEndian(header[8..]));
            var data = bytes.AsSpan(offset + 12, length);
            Assert.Equal(MaskedCrc32C(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 12 + length, 4)));
            events.Add(Event.Parser.ParseFrom(data));
            offset += 12 + length + 4;
        }

        return events;
    }

    /// <summary>The single event file in <paramref name="directory"/>, read.</summary>
    public static IReadOnlyList<Event> ReadSingle(string directory)
        => ReadAll(Assert.Single(Directory.GetFiles(directory, "events.out.tfevents.*")));

    /// <summary>(tag, step, value) for every scalar event.</summary>
    public static IReadOnlyList<(string Tag, long Step, float Value)> Scalars(IEnumerable<Event> events)
        => events.Where(e => e.Summary is not null)
            .SelectMany(e => e.Summary.Value.Where(v => v.ValueCase == Summary.Types.Value.ValueOneofCase.SimpleValue).Select(v => (v.Tag, e.Step, v.SimpleValue)))
            .ToList();

    /// <summary>The hparams plugin data of every summary value tagged <paramref name="tag"/>.</summary>
    public static IReadOnlyList<TensorBoardReference.Hparams.HParamsPluginData> PluginData(IEnumerable<Event> events, string tag)
        => events.Where(e => e.Summary is not null)
            .SelectMany(e => e.Summary.Value.Where(v => v.Tag == tag))
            .Select(v =>
            {
                Assert.Equal("hparams", v.Metadata.PluginData.PluginName);
                return TensorBoardReference.Hparams.HParamsPluginData.Parser.ParseFrom(v.Metadata.PluginData.Content);
            })
            .ToList();

    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8u);
    }

    /// <summary>Bit-at-a-time CRC-32C, reflected polynomial 0x82F63B78.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var value in data)
        {
            crc ^= value;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
