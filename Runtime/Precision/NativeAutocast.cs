using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Precision;

/// <summary>
/// libtorch's autocast switches (<c>at::autocast::*</c>), which TorchSharp does not expose, called by
/// their Itanium-mangled names through the libtorch TorchSharp loaded. Their arguments are one-byte
/// enums and bools. The state is per thread: never <c>await</c> inside an autocast region.
/// </summary>
internal sealed unsafe class NativeAutocast
{
    private readonly delegate* unmanaged<sbyte, byte, void> setEnabled;
    private readonly delegate* unmanaged<sbyte, byte> isEnabled;
    private readonly delegate* unmanaged<sbyte, sbyte, void> setDtype;
    private readonly delegate* unmanaged<sbyte, sbyte> getDtype;
    private readonly delegate* unmanaged<int> incrementNesting;
    private readonly delegate* unmanaged<int> decrementNesting;
    private readonly delegate* unmanaged<void> clearCache;

    private NativeAutocast(IntPtr library)
    {
        setEnabled = (delegate* unmanaged<sbyte, byte, void>)Export(library, "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb");
        isEnabled = (delegate* unmanaged<sbyte, byte>)Export(library, "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE");
        setDtype = (delegate* unmanaged<sbyte, sbyte, void>)Export(library, "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE");
        getDtype = (delegate* unmanaged<sbyte, sbyte>)Export(library, "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE");
        incrementNesting = (delegate* unmanaged<int>)Export(library, "_ZN2at8autocast17increment_nestingEv");
        decrementNesting = (delegate* unmanaged<int>)Export(library, "_ZN2at8autocast17decrement_nestingEv");
        clearCache = (delegate* unmanaged<void>)Export(library, "_ZN2at8autocast11clear_cacheEv");
    }

    /// <summary>Binds the switches, or throws naming the precision option when this libtorch lacks them.</summary>
    /// <param name="precision">The precision option, for the message.</param>
    public static NativeAutocast Load(string precision)
    {
        _ = torch.get_num_threads(); // make sure TorchSharp has loaded libtorch
        foreach (var name in new[] { "libtorch_cpu.so", "libtorch_cpu.dylib", "torch_cpu.dll" })
        {
            if (NativeLibrary.TryLoad(name, typeof(torch).Assembly, null, out var library))
            {
                try
                {
                    return new NativeAutocast(library);
                }
                catch (EntryPointNotFoundException missing)
                {
                    throw Unsupported(precision, missing.Message);
                }
            }
        }

        throw Unsupported(precision, "libtorch_cpu was not found next to TorchSharp");
    }

    public bool IsEnabled(DeviceType device) => isEnabled(Code(device)) != 0;

    public void SetEnabled(DeviceType device, bool enabled) => setEnabled(Code(device), enabled ? (byte)1 : (byte)0);

    public ScalarType GetDtype(DeviceType device) => (ScalarType)getDtype(Code(device));

    public void SetDtype(DeviceType device, ScalarType dtype) => setDtype(Code(device), (sbyte)dtype);

    public int IncrementNesting() => incrementNesting();

    public int DecrementNesting() => decrementNesting();

    public void ClearCache() => clearCache();

    /// <summary>c10::DeviceType codes: CPU 0, CUDA 1 (TorchSharp's DeviceType uses the same values).</summary>
    private static sbyte Code(DeviceType device) => (sbyte)device;

    private static IntPtr Export(IntPtr library, string symbol)
        => NativeLibrary.TryGetExport(library, symbol, out var address)
            ? address
            : throw new EntryPointNotFoundException($"{symbol} is not exported");

    private static PlatformNotSupportedException Unsupported(string precision, string detail)
        => new($"Precision \"{precision}\" needs libtorch's autocast functions (at::autocast::set_autocast_enabled and friends), "
            + $"which the loaded libtorch does not provide ({detail}). Use Precision = \"32-true\" with this libtorch.");
}
