using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt;

/// <summary>Moves batch tensors to the training device; the generated transfer code calls it per tensor member (hidden from IntelliSense: generated code only).</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
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

    /// <summary>Returns the array itself when every tensor is on <paramref name="device"/>, otherwise a new array of the moved tensors (Lightning moves any collection).</summary>
    /// <typeparam name="TTensor">Tensor or Tensor?.</typeparam>
    /// <param name="tensors">A batch member holding tensors, or null.</param>
    /// <param name="device">The target device.</param>
    /// <param name="floatType">The dtype floating-point tensors are cast to, or null.</param>
    [return: NotNullIfNotNull(nameof(tensors))]
    public static TTensor[]? ToDevice<TTensor>(TTensor[]? tensors, Device device, ScalarType? floatType = null)
        where TTensor : Tensor?
    {
        if (tensors is null || AreOnDevice(tensors, device, floatType))
        {
            return tensors;
        }

        var moved = new TTensor[tensors.Length];
        for (var i = 0; i < tensors.Length; i++)
        {
            moved[i] = (TTensor)ToDevice(tensors[i], device, floatType)!;
        }

        return moved;
    }

    /// <summary>Returns the list itself when every tensor is on <paramref name="device"/>, otherwise a new list of the moved tensors.</summary>
    /// <typeparam name="TTensor">Tensor or Tensor?.</typeparam>
    /// <param name="tensors">A batch member holding tensors, or null.</param>
    /// <param name="device">The target device.</param>
    /// <param name="floatType">The dtype floating-point tensors are cast to, or null.</param>
    [return: NotNullIfNotNull(nameof(tensors))]
    public static List<TTensor>? ToDevice<TTensor>(List<TTensor>? tensors, Device device, ScalarType? floatType = null)
        where TTensor : Tensor?
    {
        if (tensors is null || AreOnDevice(tensors, device, floatType))
        {
            return tensors;
        }

        var moved = new List<TTensor>(tensors.Count);
        foreach (var tensor in tensors)
        {
            moved.Add((TTensor)ToDevice(tensor, device, floatType)!);
        }

        return moved;
    }

    /// <summary>Returns the dictionary itself when every tensor is on <paramref name="device"/>, otherwise a new dictionary (same keys and comparer) of the moved tensors.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TTensor">Tensor or Tensor?.</typeparam>
    /// <param name="tensors">A batch member holding tensors, or null.</param>
    /// <param name="device">The target device.</param>
    /// <param name="floatType">The dtype floating-point tensors are cast to, or null.</param>
    [return: NotNullIfNotNull(nameof(tensors))]
    public static Dictionary<TKey, TTensor>? ToDevice<TKey, TTensor>(Dictionary<TKey, TTensor>? tensors, Device device, ScalarType? floatType = null)
        where TKey : notnull
        where TTensor : Tensor?
    {
        if (tensors is null || AreOnDevice(tensors.Values, device, floatType))
        {
            return tensors;
        }

        var moved = new Dictionary<TKey, TTensor>(tensors.Count, tensors.Comparer);
        foreach (var (key, tensor) in tensors)
        {
            moved.Add(key, (TTensor)ToDevice(tensor, device, floatType)!);
        }

        return moved;
    }

    /// <summary>True when the collection is null or every tensor in it is null or on <paramref name="device"/> in the right dtype.</summary>
    /// <typeparam name="TTensor">Tensor or Tensor?.</typeparam>
    /// <param name="tensors">The tensors of a batch member, or null.</param>
    /// <param name="device">The target device.</param>
    /// <param name="floatType">The dtype floating-point tensors must have, or null for any.</param>
    public static bool AreOnDevice<TTensor>(IEnumerable<TTensor>? tensors, Device device, ScalarType? floatType = null)
        where TTensor : Tensor?
        => tensors is null || tensors.All(t => IsOnDevice(t, device, floatType));

    /// <summary>True when the dictionary is null or every tensor in it is on <paramref name="device"/>.</summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TTensor">Tensor or Tensor?.</typeparam>
    /// <param name="tensors">The tensors of a batch member, or null.</param>
    /// <param name="device">The target device.</param>
    /// <param name="floatType">The dtype floating-point tensors must have, or null for any.</param>
    public static bool AreOnDevice<TKey, TTensor>(Dictionary<TKey, TTensor>? tensors, Device device, ScalarType? floatType = null)
        where TKey : notnull
        where TTensor : Tensor?
        => tensors is null || AreOnDevice(tensors.Values, device, floatType);

    /// <summary>The first dimension of the first tensor in the collection (the batch size of a batch whose tensors are all in collections), or null when there is none.</summary>
    /// <typeparam name="TTensor">Tensor or Tensor?.</typeparam>
    /// <param name="tensors">The tensors of a batch member, or null.</param>
    public static long? FirstDimension<TTensor>(IEnumerable<TTensor>? tensors)
        where TTensor : Tensor?
        => tensors?.FirstOrDefault(t => t is not null && t.Dimensions > 0) is { } first ? first.size(0) : null;

    private static bool NeedsCast(Tensor tensor, ScalarType? floatType)
        => floatType is { } target && tensor.dtype != target && tensor.is_floating_point();
}
