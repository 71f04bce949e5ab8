using System;
using System.Runtime.InteropServices;

namespace Volt.Distributed;

/// <summary>
/// A thin binding of the dozen MPI calls data-parallel training needs, loaded at run time from Open MPI's
/// <c>libmpi.so.40</c> with <see cref="NativeLibrary"/> (so the Volt package has no native dependency
/// until a program asks for the ddp strategy). Open MPI's handles (<c>MPI_COMM_WORLD</c>,
/// <c>MPI_FLOAT</c>, <c>MPI_SUM</c>, ...) are the addresses of its predefined global objects
/// (<c>ompi_mpi_comm_world</c>, ...), and <c>MPI_IN_PLACE</c> is <c>(void*)1</c>, as in its <c>mpi.h</c>.
/// </summary>
/// <remarks>
/// MPI.NET (the NuGet package, 1.4.0) binds Microsoft MPI's <c>msmpi.dll</c> with integer handles and
/// cannot load Open MPI, hence this binding. MPICH-family libraries (<c>libmpi.so.12</c>) use integer
/// handles too and are not supported.
/// </remarks>
internal sealed unsafe class MpiLibrary
{
    /// <summary>The file name the loader asks for: Open MPI 4's and 5's soname.</summary>
    public const string FileName = "libmpi.so.40";

    /// <summary><c>MPI_IN_PLACE</c> in Open MPI.</summary>
    public static readonly IntPtr InPlace = 1;

    /// <summary><c>MPI_SUCCESS</c>.</summary>
    public const int Success = 0;

    /// <summary><c>MPI_THREAD_SERIALIZED</c>: any thread may call, one at a time.</summary>
    public const int ThreadSerialized = 2;

    /// <summary><c>MPI_COMM_TYPE_SHARED</c>: processes that share memory (one node).</summary>
    public const int CommTypeShared = 0;

    private readonly IntPtr library;

    private readonly delegate* unmanaged<int*, int> initialized;
    private readonly delegate* unmanaged<int*, int> finalized;
    private readonly delegate* unmanaged<IntPtr, IntPtr, int, int*, int> initThread;
    private readonly delegate* unmanaged<int> finalize;
    private readonly delegate* unmanaged<IntPtr, int*, int> commRank;
    private readonly delegate* unmanaged<IntPtr, int*, int> commSize;
    private readonly delegate* unmanaged<IntPtr, IntPtr*, int> commDup;
    private readonly delegate* unmanaged<IntPtr*, int> commFree;
    private readonly delegate* unmanaged<IntPtr, int, int, IntPtr*, int> commSplit;
    private readonly delegate* unmanaged<IntPtr, int, int, IntPtr, IntPtr*, int> commSplitType;
    private readonly delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int> allreduce;
    private readonly delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int> bcast;
    private readonly delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int, IntPtr, IntPtr, int> allgather;
    private readonly delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int*, int*, IntPtr, IntPtr, int> allgatherv;
    private readonly delegate* unmanaged<IntPtr, int> barrier;
    private readonly delegate* unmanaged<IntPtr, int, int> abort;
    private readonly delegate* unmanaged<int, byte*, int*, int> errorString;

    private MpiLibrary(IntPtr library)
    {
        this.library = library;
        initialized = (delegate* unmanaged<int*, int>)Export("MPI_Initialized");
        finalized = (delegate* unmanaged<int*, int>)Export("MPI_Finalized");
        initThread = (delegate* unmanaged<IntPtr, IntPtr, int, int*, int>)Export("MPI_Init_thread");
        finalize = (delegate* unmanaged<int>)Export("MPI_Finalize");
        commRank = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_rank");
        commSize = (delegate* unmanaged<IntPtr, int*, int>)Export("MPI_Comm_size");
        commDup = (delegate* unmanaged<IntPtr, IntPtr*, int>)Export("MPI_Comm_dup");
        commFree = (delegate* unmanaged<IntPtr*, int>)Export("MPI_Comm_free");
        commSplit = (delegate* unmanaged<IntPtr, int, int, IntPtr*, int>)Export("MPI_Comm_split");
        commSplitType = (delegate* unmanaged<IntPtr, int, int, IntPtr, IntPtr*, int>)Export("MPI_Comm_split_type");
        allreduce = (delegate* unmanaged<IntPtr, IntPtr, int, IntPtr, IntPtr, IntPtr, int>)Export("MPI_Allreduce");
        bcast = (delegate* unmanaged<IntPtr, int, IntPtr, int, IntPtr, int>)Export("MPI_Bcast");
        allgather = (delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int, IntPtr, IntPtr, int>)Export("MPI_Allgather");
        allgatherv = (delegate* unmanaged<IntPtr, int, IntPtr, IntPtr, int*, int*, IntPtr, IntPtr, int>)Export("MPI_Allgatherv");
        barrier = (delegate* unmanaged<IntPtr, int>)Export("MPI_Barrier");
        abort = (delegate* unmanaged<IntPtr, int, int>)Export("MPI_Abort");
        errorString = (delegate* unmanaged<int, byte*, int*, int>)Export("MPI_Error_string");

        CommWorld = Export("ompi_mpi_comm_world");
        InfoNull = Export("ompi_mpi_info_null");
        Float32 = Export("ompi_mpi_float");
        Float64 = Export("ompi_mpi_double");
        Int8 = Export("ompi_mpi_int8_t");
        UInt8 = Export("ompi_mpi_uint8_t");
        Int16 = Export("ompi_mpi_int16_t");
        Int32 = Export("ompi_mpi_int32_t");
        Int64 = Export("ompi_mpi_int64_t");
        Sum = Export("ompi_mpi_op_sum");
        Max = Export("ompi_mpi_op_max");
        Min = Export("ompi_mpi_op_min");
    }

    /// <summary><c>MPI_COMM_WORLD</c>.</summary>
    public IntPtr CommWorld { get; }

    /// <summary><c>MPI_INFO_NULL</c>.</summary>
    public IntPtr InfoNull { get; }

    /// <summary><c>MPI_FLOAT</c>.</summary>
    public IntPtr Float32 { get; }

    /// <summary><c>MPI_DOUBLE</c>.</summary>
    public IntPtr Float64 { get; }

    /// <summary><c>MPI_INT8_T</c>.</summary>
    public IntPtr Int8 { get; }

    /// <summary><c>MPI_UINT8_T</c> (also bool tensors, one byte per element).</summary>
    public IntPtr UInt8 { get; }

    /// <summary><c>MPI_INT16_T</c>.</summary>
    public IntPtr Int16 { get; }

    /// <summary><c>MPI_INT32_T</c>.</summary>
    public IntPtr Int32 { get; }

    /// <summary><c>MPI_INT64_T</c>.</summary>
    public IntPtr Int64 { get; }

    /// <summary><c>MPI_SUM</c>.</summary>
    public IntPtr Sum { get; }

    /// <summary><c>MPI_MAX</c>.</summary>
    public IntPtr Max { get; }

    /// <summary><c>MPI_MIN</c>.</summary>
    public IntPtr Min { get; }

    /// <summary>Loads Open MPI, or throws naming the library and how to install it.</summary>
    /// <exception cref="DistributedException">libmpi.so.40 cannot be loaded or lacks an Open MPI symbol.</exception>
    public static MpiLibrary Load() => Load(FileName);

    /// <summary>Loads the MPI library <paramref name="fileName"/> (tests name a missing one).</summary>
    /// <param name="fileName">The library file name.</param>
    /// <exception cref="DistributedException">The library cannot be loaded or lacks an Open MPI symbol.</exception>
    public static MpiLibrary Load(string fileName)
    {
        IntPtr handle;
        try
        {
            handle = NativeLibrary.Load(fileName);
        }
        catch (DllNotFoundException error)
        {
            throw new DistributedException(
                $"The ddp strategy needs Open MPI's {fileName}, which could not be loaded ({error.Message}). "
                + "Install Open MPI (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) or put its lib directory on LD_LIBRARY_PATH.",
                error);
        }

        try
        {
            return new MpiLibrary(handle);
        }
        catch (EntryPointNotFoundException error)
        {
            throw new DistributedException(
                $"{fileName} was loaded but is not Open MPI ({error.Message}); the ddp strategy binds Open MPI's ABI only.", error);
        }
    }

    /// <summary><c>MPI_Initialized</c>.</summary>
    public bool IsInitialized()
    {
        int flag;
        Check(initialized(&flag), "MPI_Initialized");
        return flag != 0;
    }

    /// <summary><c>MPI_Finalized</c>.</summary>
    public bool IsFinalized()
    {
        int flag;
        Check(finalized(&flag), "MPI_Finalized");
        return flag != 0;
    }

    /// <summary><c>MPI_Init_thread(NULL, NULL, required, &amp;provided)</c>; returns the provided level.</summary>
    public int InitThread(int required)
    {
        int provided;
        Check(initThread(IntPtr.Zero, IntPtr.Zero, required, &provided), "MPI_Init_thread");
        return provided;
    }

    /// <summary><c>MPI_Finalize</c>.</summary>
    public void FinalizeMpi() => Check(finalize(), "MPI_Finalize");

    /// <summary><c>MPI_Comm_rank</c>.</summary>
    public int Rank(IntPtr comm)
    {
        int rank;
        Check(commRank(comm, &rank), "MPI_Comm_rank");
        return rank;
    }

    /// <summary><c>MPI_Comm_size</c>.</summary>
    public int Size(IntPtr comm)
    {
        int size;
        Check(commSize(comm, &size), "MPI_Comm_size");
        return size;
    }

    /// <summary><c>MPI_Comm_dup</c> (collective).</summary>
    public IntPtr Dup(IntPtr comm)
    {
        IntPtr copy;
        Check(commDup(comm, &copy), "MPI_Comm_dup");
        return copy;
    }

    /// <summary><c>MPI_Comm_free</c>.</summary>
    public void Free(IntPtr comm) => Check(commFree(&comm), "MPI_Comm_free");

    /// <summary><c>MPI_Comm_split</c> (collective).</summary>
    public IntPtr Split(IntPtr comm, int color, int key)
    {
        IntPtr part;
        Check(commSplit(comm, color, key, &part), "MPI_Comm_split");
        return part;
    }

    /// <summary><c>MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, key, MPI_INFO_NULL)</c>: the processes of this node.</summary>
    public IntPtr SplitShared(IntPtr comm, int key)
    {
        IntPtr node;
        Check(commSplitType(comm, CommTypeShared, key, InfoNull, &node), "MPI_Comm_split_type");
        return node;
    }

    /// <summary><c>MPI_Allreduce</c>; pass <see cref="InPlace"/> as <paramref name="send"/> to reduce <paramref name="receive"/> in place.</summary>
    public void Allreduce(IntPtr send, IntPtr receive, int count, IntPtr type, IntPtr op, IntPtr comm)
        => Check(allreduce(send, receive, count, type, op, comm), "MPI_Allreduce");

    /// <summary><c>MPI_Bcast</c>.</summary>
    public void Bcast(IntPtr buffer, int count, IntPtr type, int root, IntPtr comm)
        => Check(bcast(buffer, count, type, root, comm), "MPI_Bcast");

    /// <summary><c>MPI_Allgather</c> with the same type and count on both sides.</summary>
    public void Allgather(IntPtr send, int count, IntPtr type, IntPtr receive, IntPtr comm)
        => Check(allgather(send, count, type, receive, count, type, comm), "MPI_Allgather");

    /// <summary><c>MPI_Allgatherv</c>.</summary>
    public void Allgatherv(IntPtr send, int count, IntPtr type, IntPtr receive, int* counts, int* displacements, IntPtr comm)
        => Check(allgatherv(send, count, type, receive, counts, displacements, type, comm), "MPI_Allgatherv");

    /// <summary><c>MPI_Barrier</c>.</summary>
    public void Barrier(IntPtr comm) => Check(barrier(comm), "MPI_Barrier");

    /// <summary><c>MPI_Abort</c>: ends every process of <paramref name="comm"/>'s job with <paramref name="code"/>.</summary>
    public void Abort(IntPtr comm, int code) => abort(comm, code);

    private IntPtr Export(string name) => NativeLibrary.GetExport(library, name);

    private void Check(int code, string call)
    {
        if (code == Success)
        {
            return;
        }

        // Open MPI's default error handler aborts before returning; this covers handlers that return.
        var text = new byte[512];
        int length = 0;
        fixed (byte* buffer = text)
        {
            errorString(code, buffer, &length);
        }

        throw new DistributedException($"{call} failed with MPI error {code}: {System.Text.Encoding.ASCII.GetString(text, 0, Math.Clamp(length, 0, text.Length))}");
    }
}
