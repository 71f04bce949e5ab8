using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using TorchSharp;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Distributed;

/// <summary>
/// Collectives on CUDA tensors over NCCL (<c>libnccl.so.2</c>, loaded at run time), bootstrapped over an
/// <see cref="MpiProcessGroup"/>: rank 0 creates the NCCL unique id and MPI broadcasts it, then every rank
/// joins with <c>ncclCommInitRank</c>. Collectives run on the default CUDA stream, the one libtorch
/// queues its kernels on, so they are ordered with the tensor work around them. Written against NCCL's
/// documented C API (<c>nccl.h</c>: <c>ncclGetUniqueId</c>, <c>ncclCommInitRank</c>, <c>ncclAllReduce</c>,
/// <c>ncclBroadcast</c>, <c>ncclAllGather</c>, <c>ncclCommDestroy</c>, <c>ncclGetErrorString</c>).
/// </summary>
public sealed unsafe class NcclProcessGroup : IProcessGroup
{
    /// <summary>The NCCL library file name.</summary>
    public const string FileName = "libnccl.so.2";

    private readonly MpiProcessGroup bootstrap;
    private readonly Device device;
    private readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int> allReduce;
    private readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int> broadcast;
    private readonly delegate* unmanaged<IntPtr, IntPtr, nuint, int, IntPtr, IntPtr, int> allGather;
    private readonly delegate* unmanaged<IntPtr, int> destroy;
    private readonly delegate* unmanaged<int, IntPtr> errorString;
    private IntPtr comm;

    private NcclProcessGroup(IntPtr library, MpiProcessGroup bootstrap, Device device)
    {
        this.bootstrap = bootstrap;
        this.device = device;
        var getUniqueId = (delegate* unmanaged<NcclUniqueId*, int>)NativeLibrary.GetExport(library, "ncclGetUniqueId");
        var initRank = (delegate* unmanaged<IntPtr*, int, NcclUniqueId, int, int>)NativeLibrary.GetExport(library, "ncclCommInitRank");
        allReduce = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(library, "ncclAllReduce");
        broadcast = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(library, "ncclBroadcast");
        allGather = (delegate* unmanaged<IntPtr, IntPtr, nuint, int, IntPtr, IntPtr, int>)NativeLibrary.GetExport(library, "ncclAllGather");
        destroy = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(library, "ncclCommDestroy");
        errorString = (delegate* unmanaged<int, IntPtr>)NativeLibrary.GetExport(library, "ncclGetErrorString");

        var id = default(NcclUniqueId);
        if (bootstrap.Rank == 0)
        {
            Check(getUniqueId(&id), "ncclGetUniqueId");
        }

        var idBytes = new Span<byte>(&id, sizeof(NcclUniqueId)).ToArray();
        idBytes = bootstrap.BroadcastBytes(idBytes, 0);
        idBytes.CopyTo(new Span<byte>(&id, sizeof(NcclUniqueId)));
        // NCCL binds the communicator to the calling thread's current CUDA device; TorchSharp cannot set it.
        SetCurrentCudaDevice(device.index < 0 ? 0 : device.index);
        IntPtr created;
        Check(initRank(&created, bootstrap.WorldSize, id, bootstrap.Rank), "ncclCommInitRank");

        comm = created;
    }

    /// <inheritdoc/>
    public int WorldSize => bootstrap.WorldSize;

    /// <inheritdoc/>
    public int Rank => bootstrap.Rank;

    /// <inheritdoc/>
    public int LocalRank => bootstrap.LocalRank;

    /// <inheritdoc/>
    public int LocalSize => bootstrap.LocalSize;

    /// <inheritdoc/>
    public int NodeRank => bootstrap.NodeRank;

    /// <summary>Loads NCCL and joins every rank of <paramref name="bootstrap"/> to one NCCL communicator on <paramref name="device"/> (collective).</summary>
    /// <param name="bootstrap">The MPI group that carries the unique id.</param>
    /// <param name="device">This rank's CUDA device.</param>
    /// <exception cref="DistributedException">libnccl.so.2 cannot be loaded, or <paramref name="device"/> is not a CUDA device.</exception>
    public static NcclProcessGroup Open(MpiProcessGroup bootstrap, Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.type != DeviceType.CUDA)
        {
            throw new DistributedException($"NCCL carries CUDA tensors only, but the device is {device}; CPU training uses MPI alone.");
        }

        ArgumentNullException.ThrowIfNull(bootstrap);

        return new NcclProcessGroup(LoadLibrary(), bootstrap, device);
    }

    /// <summary>Loads libnccl.so.2, or throws naming it and how to install it.</summary>
    /// <exception cref="DistributedException">The library cannot be loaded.</exception>
    public static IntPtr LoadLibrary()
    {
        try
        {
            return NativeLibrary.Load(FileName);
        }
        catch (DllNotFoundException error)
        {
            throw new DistributedException(
                $"DDP on CUDA needs NVIDIA's NCCL ({FileName}), which could not be loaded ({error.Message}). "
                + "Install NCCL (for example the libnccl2 package from NVIDIA's CUDA repository) or put its directory on LD_LIBRARY_PATH.",
                error);
        }
    }

    /// <inheritdoc/>
    public void AllReduce(Tensor tensor, ReduceOp op)
    {
        RequireCuda(tensor, "AllReduce");
        var ncclOp = op switch
        {
            ReduceOp.Sum => 0,
            ReduceOp.Max => 2,
            ReduceOp.Min => 3,
            ReduceOp.Mean => 4, // ncclAvg (NCCL 2.10+)
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduce operation."),
        };
        using var buffer = tensor.is_contiguous() ? tensor.alias() : tensor.contiguous();
        var pointer = DataPointer(buffer);
        Check(allReduce(pointer, pointer, (nuint)buffer.numel(), DataType(buffer), ncclOp, comm, IntPtr.Zero), "ncclAllReduce");
        if (!tensor.is_contiguous())
        {
            tensor.copy_(buffer);
        }
    }

    /// <inheritdoc/>
    public void Broadcast(Tensor tensor, int sourceRank)
    {
        RequireCuda(tensor, "Broadcast");
        using var buffer = tensor.is_contiguous() ? tensor.alias() : tensor.contiguous();
        var pointer = DataPointer(buffer);
        Check(broadcast(pointer, pointer, (nuint)buffer.numel(), DataType(buffer), sourceRank, comm, IntPtr.Zero), "ncclBroadcast");
        if (!tensor.is_contiguous())
        {
            tensor.copy_(buffer);
        }
    }

    /// <summary>Every rank's copy in rank order. NCCL gathers equal sizes only; tensors whose dimension 0 differs across ranks go through the CPU group.</summary>
    /// <param name="tensor">This rank's tensor.</param>
    public IReadOnlyList<Tensor> AllGather(Tensor tensor)
    {
        RequireCuda(tensor, "AllGather");
        using var sizes = torch.tensor(new long[] { tensor.dim() == 0 ? 1 : tensor.shape[0] });
        var all = bootstrap.AllGather(sizes);
        var equal = true;
        foreach (var size in all)
        {
            equal &= size.ToInt64() == all[0].ToInt64();
            size.Dispose();
        }

        if (!equal)
        {
            using var cpu = tensor.cpu();
            var gathered = bootstrap.AllGather(cpu);
            var moved = new Tensor[gathered.Count];
            for (var r = 0; r < gathered.Count; r++)
            {
                moved[r] = gathered[r].to(device);
                gathered[r].Dispose();
            }

            return moved;
        }

        using var local = tensor.contiguous();
        using var output = torch.empty([WorldSize, .. tensor.shape], tensor.dtype, device);
        Check(allGather(DataPointer(local), DataPointer(output), (nuint)local.numel(), DataType(local), comm, IntPtr.Zero), "ncclAllGather");
        var result = new Tensor[WorldSize];
        for (var r = 0; r < WorldSize; r++)
        {
            result[r] = output[r].clone();
        }

        return result;
    }

    /// <inheritdoc/>
    public void Barrier() => bootstrap.Barrier();

    /// <summary>Destroys the NCCL communicator (the MPI bootstrap group belongs to the caller).</summary>
    public void Dispose()
    {
        if (comm != IntPtr.Zero)
        {
            destroy(comm);
            comm = IntPtr.Zero;
        }
    }

    private static void SetCurrentCudaDevice(int index)
    {
        string[] names = ["libcudart.so.12", "libcudart.so.11.0", "libcudart.so"];
        foreach (var name in names)
        {
            if (NativeLibrary.TryLoad(name, out var cudart))
            {
                var setDevice = (delegate* unmanaged<int, int>)NativeLibrary.GetExport(cudart, "cudaSetDevice");
                var status = setDevice(index);
                if (status != 0)
                {
                    throw new DistributedException($"cudaSetDevice({index}) failed with CUDA error {status}.");
                }

                return;
            }
        }

        throw new DistributedException($"DDP on CUDA needs the CUDA runtime to pick this rank's GPU, but none of {string.Join(", ", names)} could be loaded.");
    }

    [DllImport("LibTorchSharp", EntryPoint = "THSTensor_data")]
    private static extern IntPtr TensorData(IntPtr handle);

    private static IntPtr DataPointer(Tensor tensor) => TensorData(tensor.Handle);

    private static int DataType(Tensor tensor) => tensor.dtype switch
    {
        // ncclDataType_t: ncclInt8 0, ncclUint8 1, ncclInt32 2, ncclUint32 3, ncclInt64 4, ncclUint64 5, ncclFloat16 6, ncclFloat32 7, ncclFloat64 8, ncclBfloat16 9.
        ScalarType.Int8 => 0,
        ScalarType.Byte or ScalarType.Bool => 1,
        ScalarType.Int32 => 2,
        ScalarType.Int64 => 4,
        ScalarType.Float16 => 6,
        ScalarType.Float32 => 7,
        ScalarType.Float64 => 8,
        ScalarType.BFloat16 => 9,
        _ => throw new DistributedException($"NCCL cannot carry {tensor.dtype} tensors."),
    };

    private static void RequireCuda(Tensor tensor, string collective)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.device_type != DeviceType.CUDA)
        {
            throw new DistributedException($"{collective} over NCCL takes CUDA tensors, but this one is on {tensor.device}; CPU tensors go through MPI.");
        }
    }

    private void Check(int result, string call)
    {
        if (result != 0)
        {
            throw new DistributedException($"{call} failed: NCCL error {result} ({Marshal.PtrToStringAnsi(errorString(result))}).");
        }
    }

    /// <summary><c>ncclUniqueId</c>: 128 opaque bytes (<c>NCCL_UNIQUE_ID_BYTES</c>).</summary>
    [StructLayout(LayoutKind.Sequential, Size = 128)]
    private struct NcclUniqueId
    {
        private fixed byte internalBytes[128];
    }
}
