using System;
using System.Buffers.Binary;
using static TorchSharp.torch;

namespace Volt.Checkpoints;

/// <summary>
/// Reads and checks torch's CPU generator state from a checkpoint before it reaches libtorch, which
/// aborts the whole process (a native <c>c10::Error</c>, "Invalid mt19937 state") on a bad state.
/// The layout is libtorch's <c>CPUGeneratorImplState</c> (aten/src/ATen/CPUGeneratorImpl.cpp):
/// a 5048-byte legacy block (seed, <c>left</c> at byte 8, <c>seeded</c> at byte 12, <c>next</c> at
/// byte 16, 624 state words, the cached normal sample) followed by the float normal sample, 5056 bytes
/// in all; libtorch also accepts the 5048-byte legacy form.
/// </summary>
internal static class RngState
{
    private const int MersenneStateN = 624;
    private const int CurrentSize = 5056;
    private const int LegacySize = 5048;

    /// <summary>Reads tensor <paramref name="name"/> and checks it is a state libtorch accepts; the caller owns the result.</summary>
    /// <exception cref="System.IO.InvalidDataException">The state is malformed; the message names the file, the tensor and its entry.</exception>
    public static Tensor Read(CheckpointReader checkpoint, string name)
    {
        var state = checkpoint.ReadTensor(name);
        try
        {
            var problem = Check(state);
            if (problem is not null)
            {
                throw CheckpointReader.Invalid(checkpoint.Path, $"the torch RNG state '{name}' (entry '{checkpoint.EntryOf(name)}') is malformed: {problem}");
            }

            return state;
        }
        catch
        {
            state.Dispose();
            throw;
        }
    }

    private static string? Check(Tensor state)
    {
        if (state.dtype != ScalarType.Byte || state.dim() != 1)
        {
            return $"it is a {state.dtype} tensor of shape [{string.Join(", ", state.shape)}], not a byte vector";
        }

        if (state.numel() is not (CurrentSize or LegacySize))
        {
            return $"it has {state.numel()} bytes, not {CurrentSize} (or {LegacySize})";
        }

        ReadOnlySpan<byte> bytes = state.bytes;
        var left = BinaryPrimitives.ReadInt32LittleEndian(bytes[8..]);
        var seeded = BinaryPrimitives.ReadInt32LittleEndian(bytes[12..]);
        var next = (uint)BinaryPrimitives.ReadUInt64LittleEndian(bytes[16..]);
        if (seeded == 0)
        {
            return "the generator is marked as not seeded";
        }

        if (left is < 1 or > MersenneStateN)
        {
            return $"the mt19937 'left' counter is {left}, outside 1..{MersenneStateN}";
        }

        return next > MersenneStateN ? $"the mt19937 'next' index is {next}, above {MersenneStateN}" : null;
    }
}
