using System;
using TorchSharp;

namespace Volt;

/// <summary>
/// libtorch's deterministic-algorithms switch (<c>torch.use_deterministic_algorithms</c>), which
/// TorchSharp 0.107 only stubs. Volt calls <c>at::globalContext().setDeterministicAlgorithms</c>
/// through the library TorchSharp already loaded.
/// </summary>
public static unsafe class Determinism
{
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetDeterministic = "_ZN2at7Context26setDeterministicAlgorithmsEbb";
    private const string GetDeterministic = "_ZNK2at7Context23deterministicAlgorithmsEv";

    /// <summary>Whether libtorch currently uses deterministic algorithms only.</summary>
    /// <exception cref="PlatformNotSupportedException">The loaded libtorch does not export the switch.</exception>
    public static bool IsEnabled
    {
        get
        {
            var (context, _, get) = Resolve();
            return ((delegate* unmanaged<IntPtr, byte>)get)(context) != 0;
        }
    }

    /// <summary>Turns deterministic algorithms on or off (process-wide; the trainer restores the previous value after fitting).</summary>
    /// <param name="enabled">On or off.</param>
    /// <param name="warnOnly">Warn instead of failing when an operation has no deterministic implementation.</param>
    /// <exception cref="PlatformNotSupportedException">The loaded libtorch does not export the switch.</exception>
    public static void Set(bool enabled, bool warnOnly = false)
    {
        var (context, set, _) = Resolve();
        ((delegate* unmanaged<IntPtr, byte, byte, void>)set)(context, enabled ? (byte)1 : (byte)0, warnOnly ? (byte)1 : (byte)0);
    }

    private static (IntPtr Context, IntPtr Set, IntPtr Get) Resolve()
    {
        var symbols = LibTorchSymbols.TryResolve([GlobalContext, SetDeterministic, GetDeterministic], out _)
            ?? throw new PlatformNotSupportedException(
                "TrainerOptions.Deterministic needs libtorch's at::Context::setDeterministicAlgorithms, which the loaded libtorch does not export "
                + "(Volt looks it up by its Linux C++ name). Set Deterministic = false on this platform.");
        return (((delegate* unmanaged<IntPtr>)symbols[0])(), symbols[1], symbols[2]);
    }
}
