using System;
using System.Buffers.Binary;
using System.IO;
using System.Text;

namespace Volt.Export;

/// <summary>
/// Writes the few pickle (protocol 2) opcodes a PyTorch state_dict needs. See Python's
/// <c>Lib/pickletools.py</c> for the opcode table.
/// </summary>
internal sealed class PickleWriter(Stream output)
{
    private const byte Proto = 0x80;
    private const byte Global = (byte)'c';
    private const byte Mark = (byte)'(';
    private const byte Tuple = (byte)'t';
    private const byte EmptyTuple = (byte)')';
    private const byte Reduce = (byte)'R';
    private const byte SetItems = (byte)'u';
    private const byte BinUnicode = (byte)'X';
    private const byte BinInt = (byte)'J';
    private const byte Long1 = 0x8a;
    private const byte NewFalse = 0x89;
    private const byte BinPersId = (byte)'Q';
    private const byte Stop = (byte)'.';

    public void WriteProtocol() => output.Write([Proto, 2]);

    /// <summary>GLOBAL: pushes <c>module.name</c> (written as two newline-terminated lines).</summary>
    public void WriteGlobal(string module, string name)
    {
        output.WriteByte(Global);
        output.Write(Encoding.ASCII.GetBytes(module + "\n" + name + "\n"));
    }

    public void WriteMark() => output.WriteByte(Mark);

    /// <summary>TUPLE: pops everything to the last mark into a tuple.</summary>
    public void WriteTuple() => output.WriteByte(Tuple);

    public void WriteEmptyTuple() => output.WriteByte(EmptyTuple);

    /// <summary>REDUCE: calls the callable under the argument tuple on top of the stack.</summary>
    public void WriteReduce() => output.WriteByte(Reduce);

    /// <summary>SETITEMS: adds the key/value pairs since the last mark to the dict under them.</summary>
    public void WriteSetItems() => output.WriteByte(SetItems);

    public void WriteFalse() => output.WriteByte(NewFalse);

    /// <summary>BINPERSID: replaces the object on top of the stack by the persistent object it names.</summary>
    public void WritePersistentId() => output.WriteByte(BinPersId);

    public void WriteStop() => output.WriteByte(Stop);

    public void WriteString(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        output.WriteByte(BinUnicode);
        WriteUInt32((uint)bytes.Length);
        output.Write(bytes);
    }

    /// <summary>BININT for 32-bit values, LONG1 (little-endian two's complement) beyond.</summary>
    public void WriteInt(long value)
    {
        if (value is >= int.MinValue and <= int.MaxValue)
        {
            output.WriteByte(BinInt);
            WriteUInt32(unchecked((uint)(int)value));
            return;
        }

        output.WriteByte(Long1);
        output.WriteByte(8);
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, value);
        output.Write(bytes);
    }

    /// <summary>A tuple of integers (a shape or a stride).</summary>
    public void WriteIntTuple(ReadOnlySpan<long> values)
    {
        WriteMark();
        foreach (var value in values)
        {
            WriteInt(value);
        }

        WriteTuple();
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        output.Write(bytes);
    }
}
