using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Linq;
using System.Text;

namespace Volt.Export;

/// <summary>A global (<c>module.name</c>) the pickle refers to.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public override string ToString() => Module + "." + Name;
}

/// <summary>A dict or OrderedDict, in insertion order.</summary>
internal sealed class PickleDict
{
    public List<(object? Key, object? Value)> Items { get; } = [];
}

/// <summary>A storage record named by a persistent id: <c>('storage', torch.FloatStorage, key, location, numel)</c>.</summary>
internal sealed record StorageReference(string Key, WeightsDType DType, long ElementCount);

/// <summary>What <c>torch._utils._rebuild_tensor_v2</c> would build: a strided view of a storage.</summary>
internal sealed record TensorReference(StorageReference Storage, long Offset, long[] Shape, long[] Stride);

/// <summary>
/// Reads the weights-only subset of pickle that <c>torch.save(state_dict)</c> writes and
/// <c>torch.load(weights_only=True)</c> accepts (PyTorch's <c>torch/_weights_only_unpickler.py</c>):
/// containers, strings, numbers, the persistent ids of storages, and calls to the tensor rebuild
/// functions. Any other global or opcode is refused with its name; nothing is executed.
/// Opcodes as in Python's <c>Lib/pickletools.py</c>.
/// </summary>
internal sealed class PickleReader
{
    private static readonly object Mark = new();

    private readonly byte[] data;
    private readonly string source;
    private readonly List<object?> stack = [];
    private readonly List<int> marks = [];
    private readonly Dictionary<long, object?> memo = [];
    private int position;

    private PickleReader(byte[] data, string source)
    {
        this.data = data;
        this.source = source;
    }

    /// <summary>Unpickles <paramref name="data"/>; <paramref name="source"/> names it in errors (for example "model.pt: archive/data.pkl").</summary>
    /// <exception cref="FormatException">The pickle is malformed or uses something outside the weights-only subset.</exception>
    public static object? Read(byte[] data, string source) => new PickleReader(data, source).Run();

    private object? Run()
    {
        while (true)
        {
            var at = position;
            var opcode = ReadByte();
            switch (opcode)
            {
                case 0x80: ReadByte(); break; // PROTO
                case 0x95: Take(8); break; // FRAME
                case (byte)'.': return stack.Count == 1 ? stack[0] : throw Fail(at, $"STOP with {stack.Count} objects on the stack");
                case (byte)'(': marks.Add(stack.Count); break; // MARK
                case (byte)'c': Push(new PickleGlobal(ReadLine(), ReadLine())); break; // GLOBAL
                case 0x93: // STACK_GLOBAL
                    var name = Pop<string>(at);
                    Push(new PickleGlobal(Pop<string>(at), name));
                    break;
                case (byte)')': Push(Array.Empty<object?>()); break; // EMPTY_TUPLE
                case (byte)'t': Push(PopToMark(at).ToArray()); break; // TUPLE
                case 0x85: Push(PopMany(1, at)); break; // TUPLE1
                case 0x86: Push(PopMany(2, at)); break; // TUPLE2
                case 0x87: Push(PopMany(3, at)); break; // TUPLE3
                case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
                case (byte)'l': Push(PopToMark(at)); break; // LIST
                case (byte)'a': // APPEND
                    var item = Pop(at);
                    Peek<List<object?>>(at).Add(item);
                    break;
                case (byte)'e': // APPENDS
                    var items = PopToMark(at);
                    Peek<List<object?>>(at).AddRange(items);
                    break;
                case (byte)'}': Push(new PickleDict()); break; // EMPTY_DICT
                case (byte)'d': // DICT
                    var dict = new PickleDict();
                    AddPairs(dict, PopToMark(at), at);
                    Push(dict);
                    break;
                case (byte)'s': // SETITEM
                    var value = Pop(at);
                    var key = Pop(at);
                    Peek<PickleDict>(at).Items.Add((key, value));
                    break;
                case (byte)'u': // SETITEMS
                    var pairs = PopToMark(at);
                    AddPairs(Peek<PickleDict>(at), pairs, at);
                    break;
                case (byte)'R': // REDUCE
                    var arguments = Pop<object?[]>(at);
                    Push(Call(Pop<PickleGlobal>(at), arguments, at));
                    break;
                case (byte)'b': // BUILD: only an OrderedDict's attributes (state_dict's _metadata), which are dropped
                    Pop(at);
                    Peek<PickleDict>(at);
                    break;
                case (byte)'Q': Push(Storage(Pop<object?[]>(at), at)); break; // BINPERSID
                case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Take(4))); break; // BININT
                case (byte)'K': Push((long)ReadByte()); break; // BININT1
                case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Take(2))); break; // BININT2
                case 0x8a: Push(ReadLong1(at)); break; // LONG1
                case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Take(8))); break; // BINFLOAT
                case (byte)'X': Push(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), at)))); break; // BINUNICODE
                case 0x8c: Push(Encoding.UTF8.GetString(Take(ReadByte()))); break; // SHORT_BINUNICODE
                case 0x8d: Push(Encoding.UTF8.GetString(Take(Length(BinaryPrimitives.ReadUInt64LittleEndian(Take(8)), at)))); break; // BINUNICODE8
                case (byte)'U': Push(Encoding.ASCII.GetString(Take(ReadByte()))); break; // SHORT_BINSTRING
                case (byte)'T': Push(Encoding.ASCII.GetString(Take(Length(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), at)))); break; // BINSTRING
                case (byte)'N': Push(null); break; // NONE
                case 0x88: Push(true); break; // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'q': memo[ReadByte()] = Peek<object?>(at); break; // BINPUT
                case (byte)'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(Take(4))] = Peek<object?>(at); break; // LONG_BINPUT
                case 0x94: memo[memo.Count] = Peek<object?>(at); break; // MEMOIZE
                case (byte)'h': Push(Recall(ReadByte(), at)); break; // BINGET
                case (byte)'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(Take(4)), at)); break; // LONG_BINGET
                default:
                    throw Fail(at, $"the opcode 0x{opcode:x2} ('{(char)opcode}') is not part of a weights-only state_dict");
            }
        }
    }

    private object? Call(PickleGlobal callable, object?[] arguments, int at)
    {
        switch (callable.ToString())
        {
            case "collections.OrderedDict" when arguments.Length == 0:
                return new PickleDict();
            case "torch._utils._rebuild_tensor_v2" when arguments.Length >= 4:
                var storage = arguments[0] as StorageReference ?? throw Fail(at, "_rebuild_tensor_v2 without a storage");
                var offset = arguments[1] as long? ?? throw Fail(at, "_rebuild_tensor_v2 with a storage offset that is not an integer");
                return new TensorReference(storage, offset, Integers(arguments[2], "size", at), Integers(arguments[3], "stride", at));
            case "torch._utils._rebuild_parameter" or "torch._utils._rebuild_parameter_with_state" when arguments.Length >= 1:
                return arguments[0] as TensorReference ?? throw Fail(at, $"{callable} without a tensor");
            default:
                throw Fail(at, $"it calls {callable}, which a weights-only state_dict does not use (supported: collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter)");
        }
    }

    private StorageReference Storage(object?[] id, int at)
    {
        if (id.Length != 5 || id[0] is not string kind || kind != "storage")
        {
            throw Fail(at, "a persistent id that is not ('storage', type, key, location, numel)");
        }

        if (id[1] is not PickleGlobal { Module: "torch" } type)
        {
            throw Fail(at, "a storage without a torch storage type");
        }

        var dtype = WeightsDType.FromTorchStorage(type.Name)
            ?? throw Fail(at, $"the storage type torch.{type.Name} is not supported (supported element types: {WeightsDType.SupportedNames})");
        var key = id[2] as string ?? throw Fail(at, "a storage key that is not a string");
        var count = id[4] as long? ?? throw Fail(at, $"the storage '{key}' has an element count that is not an integer");
        return new StorageReference(key, dtype, count);
    }

    private long[] Integers(object? value, string what, int at)
        => value is object?[] tuple && tuple.All(v => v is long)
            ? tuple.Select(v => (long)v!).ToArray()
            : throw Fail(at, $"a tensor {what} that is not a tuple of integers");

    private void AddPairs(PickleDict dict, List<object?> flat, int at)
    {
        if (flat.Count % 2 != 0)
        {
            throw Fail(at, "an odd number of items for a dict");
        }

        for (var i = 0; i < flat.Count; i += 2)
        {
            dict.Items.Add((flat[i], flat[i + 1]));
        }
    }

    private long ReadLong1(int at)
    {
        var bytes = Take(ReadByte());
        if (bytes.Length > 8)
        {
            throw Fail(at, "an integer wider than 64 bits");
        }

        long value = bytes.Length > 0 && (bytes[^1] & 0x80) != 0 ? -1 : 0;
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            value = (value << 8) | bytes[i];
        }

        return value;
    }

    private object? Recall(long index, int at) => memo.TryGetValue(index, out var value) ? value : throw Fail(at, $"memo entry {index} was never stored");

    private void Push(object? value) => stack.Add(value);

    private object? Pop(int at)
    {
        if (stack.Count == 0 || (marks.Count > 0 && marks[^1] == stack.Count))
        {
            throw Fail(at, "the stack is empty");
        }

        var value = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return value;
    }

    private T Pop<T>(int at) => Pop(at) is T value ? value : throw Fail(at, $"expected a {typeof(T).Name} on the stack");

    private T Peek<T>(int at) => stack.Count > 0 && stack[^1] is T value ? value : throw Fail(at, $"expected a {typeof(T).Name} on the stack");

    private object?[] PopMany(int count, int at)
    {
        var values = new object?[count];
        for (var i = count - 1; i >= 0; i--)
        {
            values[i] = Pop(at);
        }

        return values;
    }

    private List<object?> PopToMark(int at)
    {
        if (marks.Count == 0)
        {
            throw Fail(at, "no MARK to pop to");
        }

        var start = marks[^1];
        marks.RemoveAt(marks.Count - 1);
        var values = stack.GetRange(start, stack.Count - start);
        stack.RemoveRange(start, stack.Count - start);
        return values;
    }

    private int Length(ulong length, int at) => length <= (ulong)(data.Length - position) ? (int)length : throw Fail(at, "a string longer than the rest of the pickle");

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > data.Length - position)
        {
            throw Fail(position, "it ends in the middle of an opcode (truncated)");
        }

        var span = data.AsSpan(position, count);
        position += count;
        return span;
    }

    private string ReadLine()
    {
        var end = Array.IndexOf(data, (byte)'\n', position);
        if (end < 0)
        {
            throw Fail(position, "a GLOBAL name without a line end (truncated)");
        }

        var line = Encoding.ASCII.GetString(data, position, end - position);
        position = end + 1;
        return line;
    }

    private FormatException Fail(int at, string why) => new($"{source}: at byte {at}: {why}");
}
