using System.Diagnostics.CodeAnalysis;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt;

/// <summary>Moves batch tensors to the training device; the generated transfer code calls it per tensor member.</summary>
public static class BatchTransfer
{
    /// <summary>
    /// Returns <paramref name="tensor"/> itself when it is already on <paramref name="device"/>,
    /// otherwise a copy on that device (in the current dispose scope).
    /// </summary>
    /// <param name="tensor">A batch tensor.</param>
    /// <param name="device">The target device.</param>
    /// <param name="floatType">The dtype floating-point tensors are cast to (true-precision training), or null.</param>
    [return: NotNullIfNotNull(nameof(tensor))]
    public static Tensor? ToDevice(Tensor? tensor, Device device, ScalarType? floatType = null)
    {
        if (tensor is null || IsOnDevice(tensor, device, floatType))
        {
            return tensor;
        }

        return NeedsCast(tensor, floatType) ? tensor.to(floatType!.Value, device) : tensor.to(device);
    }

    /// <summary>True when <paramref name="tensor"/> is null, or already on <paramref name="device"/> in the right dtype.</summary>
    /// <param name="tensor">A batch tensor, or null.</param>
    /// <param name="device">The target device.</param>
    /// <param name="floatType">The dtype floating-point tensors must have, or null for any.</param>
    public static bool IsOnDevice(Tensor? tensor, Device device, ScalarType? floatType = null)
        => tensor is null
           || (tensor.device_type == device.type
               && (device.type != DeviceType.CUDA || tensor.device_index == device.index)
               && !NeedsCast(tensor, floatType));

    private static bool NeedsCast(Tensor tensor, ScalarType? floatType)
        => floatType is { } target && tensor.dtype != target && tensor.is_floating_point();
}
