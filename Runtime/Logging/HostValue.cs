using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Logging;

/// <summary>
/// Reads the value of a one-element tensor that lives in host memory. On the CPU reading a value waits
/// for nothing (CPU kernels finish before they return), so a logged CPU tensor is read when it is logged
/// instead of being copied into an accumulator tensor: no tensor is created, and the common float32 and
/// float64 cases read the element in place without allocating.
/// </summary>
internal static class HostValue
{
    /// <summary>
    /// Reads <paramref name="value"/>'s single element when the tensor is on the CPU; returns false for a
    /// tensor on another device, whose value stays there until someone needs it.
    /// </summary>
    /// <param name="value">A tensor with exactly one element.</param>
    /// <param name="number">The element, converted to a double.</param>
    public static bool TryRead(Tensor value, out double number)
    {
        if (value.device_type != DeviceType.CPU)
        {
            number = 0;
            return false;
        }

        number = value.dtype switch
        {
            ScalarType.Float32 => MemoryMarshal.Read<float>(value.bytes),
            ScalarType.Float64 => MemoryMarshal.Read<double>(value.bytes),
            _ => ReadAnyType(value),
        };
        return true;
    }

    /// <summary>Every other element type (half precision, integers, booleans) through libtorch's own conversion.</summary>
    private static double ReadAnyType(Tensor value)
    {
        using var scalar = value.ToScalar();
        return scalar.ToDouble();
    }
}
