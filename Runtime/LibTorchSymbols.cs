using System;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Volt;

/// <summary>
/// Finds C++ functions TorchSharp does not bind (autocast, the deterministic switch) by their mangled
/// names in the libtorch_cpu library TorchSharp loaded.
/// </summary>
internal static class LibTorchSymbols
{
    /// <summary>The addresses of <paramref name="symbols"/>, in order, from the first libtorch_cpu that exports all of them; null when none does.</summary>
    /// <param name="symbols">Mangled symbol names.</param>
    /// <param name="failure">Why not, when null is returned: the first missing symbol, or that no libtorch_cpu was found.</param>
    public static IntPtr[]? TryResolve(string[] symbols, out string failure)
    {
        _ = torch.get_num_threads(); // make sure TorchSharp has loaded libtorch
        failure = "libtorch_cpu was not found next to TorchSharp";
        foreach (var name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll" })
        {
            if (!NativeLibrary.TryLoad(name, typeof(torch).Assembly, null, out var library))
            {
                continue;
            }

            if (TryExports(library, symbols, out var addresses, out failure))
            {
                return addresses;
            }
        }

        return null;
    }

    private static bool TryExports(IntPtr library, string[] symbols, out IntPtr[] addresses, out string failure)
    {
        addresses = new IntPtr[symbols.Length];
        for (var i = 0; i < symbols.Length; i++)
        {
            if (!NativeLibrary.TryGetExport(library, symbols[i], out addresses[i]))
            {
                failure = $"{symbols[i]} is not exported";
                return false;
            }
        }

        failure = string.Empty;
        return true;
    }
}
