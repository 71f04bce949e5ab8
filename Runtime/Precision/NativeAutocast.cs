using System;
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

    private NativeAutocast(IntPtr[] symbols)
    {
        setEnabled = (delegate* unmanaged<sbyte, byte, void>)symbols[0];
        isEnabled = (delegate* unmanaged<sbyte, byte>)symbols[1];
        setDtype = (delegate* unmanaged<sbyte, sbyte, void>)symbols[2];
        getDtype = (delegate* unmanaged<sbyte, sbyte>)symbols[3];
        incrementNesting = (delegate* unmanaged<int>)symbols[4];
        decrementNesting = (delegate* unmanaged<int>)symbols[5];
        clearCache = (delegate* unmanaged<void>)symbols[6];
    }

    /// <summary>Binds the switches, or throws naming the precision option when this libtorch lacks them.</summary>
    /// <param name="precision">The precision option, for the message.</param>
    public static NativeAutocast Load(string precision)
    {
        string[] names =
        [
            "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb",
            "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE",
            "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE",
            "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE",
            "_ZN2at8autocast17increment_nestingEv",
            "_ZN2at8autocast17decrement_nestingEv",
            "_ZN2at8autocast11clear_cacheEv",
        ];
        return new NativeAutocast(LibTorchSymbols.TryResolve(names, out var failure) ?? throw Unsupported(precision, failure));
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

    private static PlatformNotSupportedException Unsupported(string precision, string detail)
        => new($"Precision \"{precision}\" needs libtorch's autocast functions (at::autocast::set_autocast_enabled and friends), "
            + $"which the loaded libtorch does not provide ({detail}). Use Precision = \"32-true\" with this libtorch.");
}
