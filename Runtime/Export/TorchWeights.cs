using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using static TorchSharp.torch;

namespace Volt.Export;

/// <summary>
/// A module's weights in PyTorch's own file format: the ZIP archive <c>torch.save(model.state_dict(), path)</c>
/// writes, which Python reads back with <c>torch.load(path, weights_only=True)</c>. The archive holds
/// <c>archive/data.pkl</c> (a protocol-2 pickle of an OrderedDict whose values are
/// <c>torch._utils._rebuild_tensor_v2</c> calls on persistent storage ids), one raw little-endian
/// <c>archive/data/&lt;key&gt;</c> per storage, <c>archive/version</c> and <c>archive/byteorder</c>
/// (PyTorch's <c>torch/serialization.py</c>). Parameter names are TorchSharp's, which are PyTorch's
/// dotted names when the module is built the same way. See docs/export.md.
/// </summary>
public static class TorchWeights
{
    /// <summary>The usual file extension.</summary>
    public const string Extension = ".pt";

    private const string ArchiveName = "archive";

    // torch/serialization.py writes file format version 3 for tensors saved this way; 1.13 and 2.x read it.
    private const string FormatVersion = "3\n";

    /// <summary>
    /// Writes the state_dict of <paramref name="module"/> (parameters and buffers, on any device) to
    /// <paramref name="path"/>, atomically: a failure leaves any previous file untouched.
    /// </summary>
    /// <exception cref="IOException">The file could not be written; the message names it.</exception>
    /// <exception cref="NotSupportedException">A tensor has a dtype the format here does not store; the message names it.</exception>
    public static void Save(nn.Module module, string path)
    {
        using var scope = NewDisposeScope();
        var tensors = WeightsFileWriter.CpuStateDict(module);
        WeightsFileWriter.WriteAtomically(path, "PyTorch weights file", stream =>
        {
            using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            using (var pickle = archive.CreateEntry(ArchiveName + "/data.pkl", CompressionLevel.NoCompression).Open())
            {
                WritePickle(pickle, tensors);
            }

            WriteText(archive, ArchiveName + "/byteorder", "little");
            for (var i = 0; i < tensors.Count; i++)
            {
                using var entry = archive.CreateEntry($"{ArchiveName}/data/{i}", CompressionLevel.NoCompression).Open();
                entry.Write(tensors[i].Tensor.bytes);
            }

            WriteText(archive, ArchiveName + "/version", FormatVersion);
        });
    }

    /// <summary>Reads a PyTorch state_dict file (for example one written by <c>torch.save(model.state_dict(), path)</c>).</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable weights-only state_dict; the message names the file and the entry or key.</exception>
    public static StateDict Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The weights file '{fullPath}' does not exist.", fullPath);
        }

        try
        {
            using var archive = ZipFile.OpenRead(fullPath);
            return Read(fullPath, archive);
        }
        catch (InvalidDataException error) when (!error.Message.StartsWith("The weights file '", StringComparison.Ordinal))
        {
            throw StateDict.Invalid(fullPath, "it is not a PyTorch ZIP archive or it is damaged (" + error.Message + "); files from torch.save with _use_new_zipfile_serialization=False are not read", error);
        }
    }

    /// <summary>Reads <paramref name="path"/> and copies it into <paramref name="module"/> (see <see cref="StateDict.LoadInto"/>).</summary>
    /// <exception cref="InvalidDataException">The file is unreadable or does not fit the module; the message names the file and the parameter.</exception>
    public static void Load(nn.Module module, string path)
    {
        using var weights = Read(path);
        weights.LoadInto(module);
    }

    private static void WritePickle(Stream output, List<(string Name, Tensor Tensor, WeightsDType DType)> tensors)
    {
        var pickle = new PickleWriter(output);
        pickle.WriteProtocol();
        pickle.WriteGlobal("collections", "OrderedDict");
        pickle.WriteEmptyTuple();
        pickle.WriteReduce();
        pickle.WriteMark();
        for (var i = 0; i < tensors.Count; i++)
        {
            var (name, tensor, dtype) = tensors[i];
            pickle.WriteString(name);

            // torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks)
            pickle.WriteGlobal("torch._utils", "_rebuild_tensor_v2");
            pickle.WriteMark();
            pickle.WriteMark();
            pickle.WriteString("storage");
            pickle.WriteGlobal("torch", dtype.TorchStorage);
            pickle.WriteString(i.ToString(CultureInfo.InvariantCulture));
            pickle.WriteString("cpu");
            pickle.WriteInt(tensor.numel());
            pickle.WriteTuple();
            pickle.WritePersistentId();
            pickle.WriteInt(0);
            pickle.WriteIntTuple(tensor.shape);
            pickle.WriteIntTuple(tensor.stride());
            pickle.WriteFalse();
            pickle.WriteGlobal("collections", "OrderedDict");
            pickle.WriteEmptyTuple();
            pickle.WriteReduce();
            pickle.WriteTuple();
            pickle.WriteReduce();
        }

        pickle.WriteSetItems();
        pickle.WriteStop();
    }

    private static void WriteText(ZipArchive archive, string entryName, string text)
    {
        using var entry = archive.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
        entry.Write(Encoding.ASCII.GetBytes(text));
    }

    private static StateDict Read(string path, ZipArchive archive)
    {
        var pickleEntry = archive.Entries.FirstOrDefault(e => e.FullName.EndsWith("/data.pkl", StringComparison.Ordinal) && e.FullName.Count(c => c == '/') == 1)
            ?? throw StateDict.Invalid(path, "it has no <archive>/data.pkl entry; it is not a file written by torch.save");
        var prefix = pickleEntry.FullName[..^"data.pkl".Length];
        if (archive.GetEntry(prefix + "byteorder") is { } byteOrderEntry)
        {
            using var reader = new StreamReader(byteOrderEntry.Open(), Encoding.ASCII);
            var byteOrder = reader.ReadToEnd().Trim();
            if (byteOrder != "little")
            {
                throw StateDict.Invalid(path, $"its {byteOrderEntry.FullName} says '{byteOrder}'; only little-endian files are read");
            }
        }

        var pickleBytes = new byte[pickleEntry.Length];
        using (var stream = pickleEntry.Open())
        {
            WeightsFileWriter.ReadExactly(stream, pickleBytes, path, pickleEntry.FullName);
        }

        object? root;
        try
        {
            root = PickleReader.Read(pickleBytes, pickleEntry.FullName);
        }
        catch (FormatException error)
        {
            throw StateDict.Invalid(path, error.Message, error);
        }

        if (root is not PickleDict dict)
        {
            throw StateDict.Invalid(path, $"{pickleEntry.FullName} holds a {Describe(root)}, not a state_dict (a dict of tensors)");
        }

        return Materialize(path, archive, prefix, dict);
    }

    private static StateDict Materialize(string path, ZipArchive archive, string prefix, PickleDict dict)
    {
        var storages = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var entries = new List<(string Name, Tensor Tensor)>();
        try
        {
            foreach (var (key, value) in dict.Items)
            {
                var name = key as string ?? throw StateDict.Invalid(path, $"a state_dict key is a {Describe(key)}, not a string");
                if (entries.Any(e => e.Name == name))
                {
                    throw StateDict.Invalid(path, $"the key '{name}' appears twice");
                }

                var reference = value as TensorReference
                    ?? throw StateDict.Invalid(path, $"the entry '{name}' is a {Describe(value)}, not a tensor");
                if (!storages.TryGetValue(reference.Storage.Key, out var storage))
                {
                    storage = ReadStorage(path, archive, prefix, reference.Storage);
                    storages.Add(reference.Storage.Key, storage);
                }

                entries.Add((name, View(path, name, storage, reference)));
            }

            return new StateDict(path, entries);
        }
        catch
        {
            foreach (var (_, tensor) in entries)
            {
                tensor.Dispose();
            }

            throw;
        }
        finally
        {
            foreach (var storage in storages.Values)
            {
                storage.Dispose();
            }
        }
    }

    private static Tensor ReadStorage(string path, ZipArchive archive, string prefix, StorageReference storage)
    {
        var entryName = prefix + "data/" + storage.Key;
        var entry = archive.GetEntry(entryName) ?? throw StateDict.Invalid(path, $"the storage entry '{entryName}' is missing");
        var expected = checked(storage.ElementCount * storage.DType.ElementSize);
        if (entry.Length != expected)
        {
            throw StateDict.Invalid(path, $"the storage entry '{entryName}' has {entry.Length} bytes, but {storage.ElementCount} {storage.DType.ScalarType} elements need {expected}");
        }

        var tensor = empty(storage.ElementCount, storage.DType.ScalarType);
        try
        {
            using var stream = entry.Open();
            WeightsFileWriter.ReadExactly(stream, tensor.bytes, path, entryName);
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static Tensor View(string path, string name, Tensor storage, TensorReference reference)
    {
        if (reference.Shape.Length != reference.Stride.Length || reference.Shape.Any(s => s < 0) || reference.Stride.Any(s => s < 0) || reference.Offset < 0)
        {
            throw StateDict.Invalid(path, $"the tensor '{name}' has an invalid size ({string.Join(", ", reference.Shape)}) or stride ({string.Join(", ", reference.Stride)})");
        }

        var last = reference.Offset;
        for (var d = 0; d < reference.Shape.Length; d++)
        {
            last += reference.Shape[d] == 0 ? 0 : (reference.Shape[d] - 1) * reference.Stride[d];
        }

        var count = WeightsDType.ElementCount(reference.Shape);
        if (count > 0 && last >= storage.numel())
        {
            throw StateDict.Invalid(path, $"the tensor '{name}' reaches element {last} of its storage '{reference.Storage.Key}', which has {storage.numel()}");
        }

        using var view = storage.as_strided(reference.Shape, reference.Stride, reference.Offset);
        return view.contiguous().clone();
    }

    private static string Describe(object? value) => value switch
    {
        null => "None",
        PickleDict => "dict",
        PickleGlobal global => "reference to " + global,
        TensorReference => "tensor",
        object?[] => "tuple",
        List<object?> => "list",
        _ => value.GetType().Name,
    };
}
