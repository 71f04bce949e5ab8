using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt;

/// <summary>A SHA-256 fingerprint of a module's state, so two runs can be compared for bit-identical weights.</summary>
public static class ModelFingerprint
{
    /// <summary>
    /// Hashes every entry of <c>state_dict()</c> in ordinal key order: the key, the element type, the
    /// shape and the raw bytes of a contiguous CPU copy.
    /// </summary>
    /// <param name="module">The module.</param>
    /// <returns>The lowercase hexadecimal SHA-256.</returns>
    public static string Sha256(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        using var scope = torch.NewDisposeScope();
        var state = module.state_dict();
        var keys = new List<string>(state.Keys);
        keys.Sort(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];
        foreach (var key in keys)
        {
            var tensor = state[key];
            hash.AppendData(Encoding.UTF8.GetBytes(key));
            hash.AppendData(Encoding.UTF8.GetBytes(tensor.dtype.ToString()));
            foreach (var size in tensor.shape)
            {
                BinaryPrimitives.WriteInt64LittleEndian(number, size);
                hash.AppendData(number);
            }

            using var cpu = tensor.detach().cpu().contiguous();
            hash.AppendData(cpu.bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
