using System;
using System.Threading;

namespace Volt.Distributed;

/// <summary>
/// MPI's process-wide state: MPI is initialized at most once per process and finalized when the process
/// exits (the standard forbids initializing it again after <c>MPI_Finalize</c>), so the loaded library is
/// held here, created on first use, rather than by a strategy that a trainer disposes.
/// </summary>
internal static class MpiRuntime
{
    private static readonly Lazy<MpiLibrary> Initialized = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The initialized library; the first call loads and initializes it (or throws why not).</summary>
    /// <exception cref="DistributedException">Open MPI is missing or failed to initialize.</exception>
    public static MpiLibrary Library => Initialized.Value;

    private static MpiLibrary Initialize()
    {
        var mpi = MpiLibrary.Load();
        if (mpi.IsInitialized())
        {
            return mpi;
        }

        mpi.InitThread(MpiLibrary.ThreadSerialized);
        var rank = mpi.Rank(mpi.CommWorld);

        // An exception nobody catches would end this process while the others wait in a collective for it;
        // MPI_Abort ends the whole job at once instead, after saying which rank failed and why.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"[rank {rank}] unhandled exception, aborting the job: {e.ExceptionObject}");
            Console.Error.Flush();
            mpi.Abort(mpi.CommWorld, 1);
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (!mpi.IsFinalized())
            {
                mpi.FinalizeMpi();
            }
        };
        return mpi;
    }
}
