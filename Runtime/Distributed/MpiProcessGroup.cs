using System;
using System.Collections.Generic;
using TorchSharp;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Distributed;

/// <summary>
/// The processes an MPI launcher (<c>mpirun</c>, <c>srun</c>) started, with collectives on CPU tensors
/// over Open MPI. It works on its own duplicate of <c>MPI_COMM_WORLD</c>, so its collectives never mix
/// with the program's own MPI traffic; dispose it to free that communicator.
/// </summary>
public sealed unsafe class MpiProcessGroup : IProcessGroup
{
    private readonly MpiLibrary mpi;
    private IntPtr comm;

    private MpiProcessGroup(MpiLibrary mpi)
    {
        this.mpi = mpi;
        comm = mpi.Dup(mpi.CommWorld);
        Rank = mpi.Rank(comm);
        WorldSize = mpi.Size(comm);

        // The node's processes share memory; their lowest rank leads the node, and the leaders' order numbers the nodes.
        var node = mpi.SplitShared(comm, Rank);
        LocalRank = mpi.Rank(node);
        LocalSize = mpi.Size(node);
        var leaders = mpi.Split(comm, LocalRank == 0 ? 0 : -32766 /* MPI_UNDEFINED */, Rank);
        int nodeRank = LocalRank == 0 ? mpi.Rank(leaders) : 0;
        mpi.Bcast((IntPtr)(&nodeRank), 1, mpi.Int32, 0, node);
        NodeRank = nodeRank;
        if (LocalRank == 0)
        {
            mpi.Free(leaders);
        }

        mpi.Free(node);
    }

    /// <inheritdoc/>
    public int WorldSize { get; }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int LocalRank { get; }

    /// <inheritdoc/>
    public int LocalSize { get; }

    /// <inheritdoc/>
    public int NodeRank { get; }

    /// <summary>
    /// Joins the processes of this job: loads and initializes Open MPI on first use in the process
    /// (collective: every process of the job must call it).
    /// </summary>
    /// <exception cref="DistributedException">libmpi.so.40 is missing or is not Open MPI.</exception>
    public static MpiProcessGroup Open() => new(MpiRuntime.Library);

    /// <inheritdoc/>
    /// <exception cref="DistributedException">The tensor is not on the CPU, or its type has no MPI reduction.</exception>
    public void AllReduce(Tensor tensor, ReduceOp op)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireCpu(tensor, "AllReduce");
        var type = ElementType(tensor, "AllReduce");
        if (op == ReduceOp.Mean && !tensor.is_floating_point())
        {
            throw new DistributedException($"AllReduce with Mean needs a floating-point tensor, but this one is {tensor.dtype}; reduce with Sum and divide.");
        }

        var mpiOp = op switch
        {
            ReduceOp.Sum or ReduceOp.Mean => mpi.Sum,
            ReduceOp.Max => mpi.Max,
            ReduceOp.Min => mpi.Min,
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "Unknown reduce operation."),
        };
        WithContiguous(tensor, buffer =>
        {
            fixed (byte* data = buffer.bytes)
            {
                mpi.Allreduce(MpiLibrary.InPlace, (IntPtr)data, ElementCount(buffer), type, mpiOp, Comm);
            }
        });
        if (op == ReduceOp.Mean)
        {
            tensor.div_(WorldSize);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="DistributedException">The tensor is not on the CPU.</exception>
    public void Broadcast(Tensor tensor, int sourceRank)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireCpu(tensor, "Broadcast");
        CheckRank(sourceRank);
        WithContiguous(tensor, buffer =>
        {
            var bytes = buffer.bytes;
            fixed (byte* data = bytes)
            {
                mpi.Bcast((IntPtr)data, bytes.Length, mpi.UInt8, sourceRank, Comm);
            }
        });
    }

    /// <summary>Returns <paramref name="bytes"/> as <paramref name="sourceRank"/> gave them, on every process.</summary>
    /// <param name="bytes">This process's bytes; only <paramref name="sourceRank"/>'s are read.</param>
    /// <param name="sourceRank">The rank whose bytes win.</param>
    public byte[] BroadcastBytes(byte[] bytes, int sourceRank)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        CheckRank(sourceRank);
        long length = bytes.Length;
        mpi.Bcast((IntPtr)(&length), 1, mpi.Int64, sourceRank, Comm);
        var result = Rank == sourceRank ? bytes : new byte[length];
        fixed (byte* data = result)
        {
            mpi.Bcast((IntPtr)data, result.Length, mpi.UInt8, sourceRank, Comm);
        }

        return result;
    }

    /// <inheritdoc/>
    /// <exception cref="DistributedException">The tensor is not on the CPU, or the processes' tensors differ in type or in a dimension other than 0.</exception>
    public IReadOnlyList<Tensor> AllGather(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        RequireCpu(tensor, "AllGather");
        if (tensor.dim() == 0)
        {
            using var row = tensor.reshape(1);
            var rows = AllGather(row);
            var scalars = new Tensor[rows.Count];
            for (var r = 0; r < rows.Count; r++)
            {
                scalars[r] = rows[r].reshape([]);
                rows[r].Dispose();
            }

            return scalars;
        }

        var shapes = GatherShapes(tensor);
        var counts = new int[WorldSize];
        var displacements = new int[WorldSize];
        long totalElements = 0;
        long rowElements = 1;
        for (var d = 1; d < tensor.dim(); d++)
        {
            rowElements *= tensor.shape[d];
        }

        var elementSize = (long)tensor.ElementSize;
        for (var r = 0; r < WorldSize; r++)
        {
            var bytes = shapes[r][0] * rowElements * elementSize;
            if (totalElements * elementSize + bytes > int.MaxValue)
            {
                throw new DistributedException($"AllGather of {tensor.dtype} tensors is limited to {int.MaxValue} bytes in all.");
            }

            counts[r] = (int)bytes;
            displacements[r] = (int)(totalElements * elementSize);
            totalElements += shapes[r][0] * rowElements;
        }

        using var scope = NewDisposeScope();
        using var local = tensor.contiguous();
        var gathered = torch.empty(totalElements, tensor.dtype);
        fixed (byte* send = local.bytes)
        fixed (byte* receive = gathered.bytes)
        fixed (int* countsPointer = counts)
        fixed (int* displacementsPointer = displacements)
        {
            mpi.Allgatherv((IntPtr)send, counts[Rank], mpi.UInt8, (IntPtr)receive, countsPointer, displacementsPointer, Comm);
        }

        var result = new Tensor[WorldSize];
        long offset = 0;
        for (var r = 0; r < WorldSize; r++)
        {
            var elements = shapes[r][0] * rowElements;
            result[r] = gathered.narrow(0, offset, elements).reshape(shapes[r]).clone().MoveToOuterDisposeScope();
            offset += elements;
        }

        return result;
    }

    /// <inheritdoc/>
    public void Barrier() => mpi.Barrier(Comm);

    /// <summary>Ends every process of the job with <paramref name="exitCode"/> (<c>MPI_Abort</c>); it does not return.</summary>
    /// <param name="exitCode">The job's exit code.</param>
    public void Abort(int exitCode) => mpi.Abort(mpi.CommWorld, exitCode);

    /// <summary>Frees the group's communicator.</summary>
    public void Dispose()
    {
        if (comm != IntPtr.Zero && !mpi.IsFinalized())
        {
            mpi.Free(comm);
        }

        comm = IntPtr.Zero;
    }

    private IntPtr Comm => comm != IntPtr.Zero ? comm : throw new ObjectDisposedException(nameof(MpiProcessGroup));

    /// <summary>Every process's shape of a tensor with at least one dimension (and a check that the types and trailing dimensions agree).</summary>
    private long[][] GatherShapes(Tensor tensor)
    {
        // Exchange [dtype, dim] first, then the shapes.
        var header = stackalloc long[2] { (long)tensor.dtype, tensor.dim() };
        var headers = new long[2 * WorldSize];
        fixed (long* all = headers)
        {
            mpi.Allgather((IntPtr)header, 2, mpi.Int64, (IntPtr)all, Comm);
        }

        for (var r = 0; r < WorldSize; r++)
        {
            if (headers[2 * r] != header[0] || headers[(2 * r) + 1] != header[1])
            {
                throw new DistributedException(
                    $"AllGather: rank {r} passed a {(ScalarType)headers[2 * r]} tensor with {headers[(2 * r) + 1]} dimensions, but rank {Rank} passed {tensor.dtype} with {tensor.dim()}; every rank must pass the same type and number of dimensions.");
            }
        }

        var dims = (int)tensor.dim();
        var local = tensor.shape;
        var shapes = new long[dims * WorldSize];
        fixed (long* send = local)
        fixed (long* receive = shapes)
        {
            mpi.Allgather((IntPtr)send, dims, mpi.Int64, (IntPtr)receive, Comm);
        }

        var result = new long[WorldSize][];
        for (var r = 0; r < WorldSize; r++)
        {
            result[r] = shapes.AsSpan(r * dims, dims).ToArray();
            for (var d = 1; d < dims; d++)
            {
                if (result[r][d] != local[d])
                {
                    throw new DistributedException(
                        $"AllGather: rank {r}'s tensor has shape [{string.Join(", ", result[r])}] and rank {Rank}'s [{string.Join(", ", local)}]; only dimension 0 may differ.");
                }
            }
        }

        return result;
    }

    private IntPtr ElementType(Tensor tensor, string collective) => tensor.dtype switch
    {
        ScalarType.Float32 => mpi.Float32,
        ScalarType.Float64 => mpi.Float64,
        ScalarType.Int8 => mpi.Int8,
        ScalarType.Byte or ScalarType.Bool => mpi.UInt8,
        ScalarType.Int16 => mpi.Int16,
        ScalarType.Int32 => mpi.Int32,
        ScalarType.Int64 => mpi.Int64,
        _ => throw new DistributedException($"{collective}: MPI cannot reduce {tensor.dtype} tensors; convert to float32 or float64 first."),
    };

    private static void RequireCpu(Tensor tensor, string collective)
    {
        if (tensor.device_type != DeviceType.CPU)
        {
            throw new DistributedException($"{collective} over MPI takes CPU tensors, but this one is on {tensor.device}; CUDA tensors go through NCCL (see DdpStrategy).");
        }
    }

    private void CheckRank(int rank)
    {
        if (rank < 0 || rank >= WorldSize)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"The source rank must be in [0, {WorldSize}).");
        }
    }

    private static int ElementCount(Tensor tensor)
    {
        var count = tensor.numel();
        return count <= int.MaxValue ? (int)count : throw new DistributedException($"A collective takes at most {int.MaxValue} elements at once; this tensor has {count}.");
    }

    /// <summary>Runs <paramref name="action"/> on <paramref name="tensor"/> itself when it is contiguous, else on a contiguous copy that is copied back.</summary>
    private static void WithContiguous(Tensor tensor, Action<Tensor> action)
    {
        if (tensor.is_contiguous())
        {
            action(tensor);
            return;
        }

        using var copy = tensor.contiguous();
        action(copy);
        tensor.copy_(copy);
    }
}
