using System;
using System.Collections.Generic;
using System.IO;
using static TorchSharp.torch;

namespace Volt.Export;

/// <summary>Shared plumbing of the weight writers: atomic replacement (through <see cref="AtomicFile"/>) with the file named in errors, and raw tensor bytes.</summary>
internal static class WeightsFileWriter
{
    /// <summary>
    /// Writes through <paramref name="write"/> into a temporary file beside <paramref name="path"/>,
    /// flushes it to disk and renames it over <paramref name="path"/>. On failure the temporary file is
    /// removed and any previous file at <paramref name="path"/> stays as it was.
    /// </summary>
    public static void WriteAtomically(string path, string what, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
            AtomicFile.Write(fullPath, write);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Could not write the {what} '{fullPath}': {error.Message}", error);
        }
    }

    /// <summary>The module's state_dict as contiguous CPU copies, with the dtype of each checked.</summary>
    /// <remarks>The copies belong to the caller's dispose scope.</remarks>
    public static List<(string Name, Tensor Tensor, WeightsDType DType)> CpuStateDict(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The weight formats are little-endian; this machine is big-endian.");
        }

        var tensors = new List<(string, Tensor, WeightsDType)>();
        foreach (var (name, tensor) in module.state_dict())
        {
            tensors.Add((name, tensor.detach().cpu().contiguous(), WeightsDType.Of(tensor.dtype, name)));
        }

        return tensors;
    }

    /// <summary>Reads exactly <paramref name="target"/>.Length bytes or throws naming the entry.</summary>
    public static void ReadExactly(Stream stream, Span<byte> target, string path, string entry)
    {
        var read = 0;
        while (read < target.Length)
        {
            var n = stream.Read(target[read..]);
            if (n == 0)
            {
                throw StateDict.Invalid(path, $"the entry '{entry}' is truncated ({read} of {target.Length} bytes)");
            }

            read += n;
        }
    }
}
