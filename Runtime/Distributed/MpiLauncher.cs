using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace Volt.Distributed;

/// <summary>
/// Re-runs this program under Open MPI's <c>mpirun</c> with one process per device (Lightning's
/// subprocess script launcher), for a program started without a launcher whose options ask for several
/// processes. The original process only waits: its standard streams are inherited by the ranks and it
/// exits with <c>mpirun</c>'s exit code, so code after the trainer call runs in the ranks, not in it.
/// </summary>
public static class MpiLauncher
{
    /// <summary>
    /// The environment variable the launcher sets in the ranks it starts; a process that sees it never
    /// launches again (a second safety next to the launcher's own variables).
    /// </summary>
    public const string LaunchedVariable = "VOLT_DDP_LAUNCHED";

    /// <summary>The command that re-runs this program: <c>mpirun [options] -np N &lt;program&gt; &lt;its arguments&gt;</c>.</summary>
    /// <param name="processes">The number of ranks.</param>
    /// <param name="processPath">This process's executable (<see cref="Environment.ProcessPath"/>).</param>
    /// <param name="commandLine">This process's command line (<see cref="Environment.GetCommandLineArgs"/>): the entry assembly or program, then the arguments.</param>
    /// <param name="asRoot">Whether this process runs as root (Open MPI refuses root without an explicit opt-in).</param>
    public static IReadOnlyList<string> Command(int processes, string processPath, IReadOnlyList<string> commandLine, bool asRoot)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(processes, 1);
        ArgumentNullException.ThrowIfNull(processPath);
        ArgumentNullException.ThrowIfNull(commandLine);
        var command = new List<string> { "mpirun" };
        if (asRoot)
        {
            command.Add("--allow-run-as-root");
        }

        // mpirun counts physical cores as slots and binds each rank to one; on one machine Devices decides
        // the count, so allow more ranks than cores and let the OS place them.
        command.AddRange(["--oversubscribe", "--bind-to", "none", "-x", LaunchedVariable + "=1", "-np", processes.ToString(CultureInfo.InvariantCulture)]);
        command.Add(processPath);

        // Under `dotnet app.dll`, the process is the dotnet host and argument 0 is the assembly; an apphost is its own program.
        var host = Path.GetFileNameWithoutExtension(processPath);
        var first = host == "dotnet" ? 0 : 1;
        for (var i = first; i < commandLine.Count; i++)
        {
            command.Add(commandLine[i]);
        }

        return command;
    }

    /// <summary>
    /// Runs this program under <c>mpirun</c> with <paramref name="processes"/> ranks, waits, and ends this
    /// process with <c>mpirun</c>'s exit code. It does not return.
    /// </summary>
    /// <param name="processes">The number of ranks (Devices × NumNodes on one machine).</param>
    /// <exception cref="DistributedException">mpirun is not installed.</exception>
    public static void Relaunch(int processes)
    {
        var command = Command(
            processes,
            Environment.ProcessPath ?? throw new DistributedException("Cannot relaunch under mpirun: this process's executable path is unknown."),
            Environment.GetCommandLineArgs(),
            Environment.UserName == "root");
        var start = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        for (var i = 1; i < command.Count; i++)
        {
            start.ArgumentList.Add(command[i]);
        }

        Console.Out.Flush();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new DistributedException("mpirun did not start.");
        }
        catch (System.ComponentModel.Win32Exception error)
        {
            throw new DistributedException(
                $"Devices × NumNodes = {processes} asks for {processes} processes, but mpirun could not be started ({error.Message}). "
                + "Install Open MPI (apt-get install openmpi-bin libopenmpi-dev), or start the program under a launcher yourself (mpirun -np N, srun).",
                error);
        }

        process.WaitForExit();
        Environment.Exit(process.ExitCode);
    }
}
