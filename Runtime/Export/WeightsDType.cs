using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Volt.Export;

/// <summary>
/// The tensor element types the weight formats store, with their names in each format:
/// PyTorch's legacy storage class (<c>torch.FloatStorage</c>, what <c>torch.save</c> pickles) and the
/// safetensors dtype string (<c>F32</c>).
/// </summary>
internal sealed record WeightsDType(ScalarType ScalarType, string TorchStorage, string Safetensors, int ElementSize)
{
    private static readonly WeightsDType[] All =
    [
        new(ScalarType.Float32, "FloatStorage", "F32", 4),
        new(ScalarType.Float64, "DoubleStorage", "F64", 8),
        new(ScalarType.Float16, "HalfStorage", "F16", 2),
        new(ScalarType.BFloat16, "BFloat16Storage", "BF16", 2),
        new(ScalarType.Int64, "LongStorage", "I64", 8),
        new(ScalarType.Int32, "IntStorage", "I32", 4),
        new(ScalarType.Int16, "ShortStorage", "I16", 2),
        new(ScalarType.Int8, "CharStorage", "I8", 1),
        new(ScalarType.Byte, "ByteStorage", "U8", 1),
        new(ScalarType.Bool, "BoolStorage", "BOOL", 1),
    ];

    /// <summary>The supported types, for error messages.</summary>
    public static string SupportedNames => string.Join(", ", All.Select(d => d.ScalarType));

    public static WeightsDType? FromTorchStorage(string storageClass) => All.FirstOrDefault(d => d.TorchStorage == storageClass);

    public static WeightsDType? FromSafetensors(string name) => All.FirstOrDefault(d => d.Safetensors == name);

    /// <summary>The entry for <paramref name="type"/>; throws naming the tensor when the type cannot be stored.</summary>
    public static WeightsDType Of(ScalarType type, string tensorName)
        => All.FirstOrDefault(d => d.ScalarType == type)
            ?? throw new NotSupportedException($"The tensor '{tensorName}' has dtype {type}, which the weight formats here do not store; supported: {SupportedNames}.");

    /// <summary>The number of elements of <paramref name="shape"/>, checked for overflow.</summary>
    public static long ElementCount(IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var size in shape)
        {
            count = checked(count * size);
        }

        return count;
    }
}
