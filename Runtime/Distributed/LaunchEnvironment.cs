using System;
using System.Globalization;

namespace Volt.Distributed;

/// <summary>
/// What the launcher that started this process says about it, read from the environment before MPI
/// starts (Lightning's cluster environments): Open MPI's <c>mpirun</c> (<c>OMPI_COMM_WORLD_*</c>), Slurm's
/// <c>srun</c> (<c>SLURM_PROCID</c>, <c>SLURM_NTASKS</c>, <c>SLURM_LOCALID</c>, <c>SLURM_NODEID</c>) or a
/// PMIx launcher (<c>PMIX_RANK</c>). MPI itself is the authority once it runs; this tells whether a
/// launcher started the process at all, and lets the strategy check the process count against the options.
/// </summary>
/// <param name="Launcher">"Open MPI", "Slurm" or "PMIx".</param>
/// <param name="GlobalRank">This process's rank among all.</param>
/// <param name="WorldSize">The number of processes, or null when the launcher does not say (PMIx).</param>
/// <param name="LocalRank">This process's rank on its node, or null when the launcher does not say.</param>
/// <param name="NodeRank">This process's node index, or null when the launcher does not say.</param>
public sealed record LaunchEnvironment(string Launcher, int GlobalRank, int? WorldSize, int? LocalRank, int? NodeRank)
{
    /// <summary>Reads the process environment; null when no launcher started this process.</summary>
    public static LaunchEnvironment? Detect() => Detect(Environment.GetEnvironmentVariable);

    /// <summary>Reads the launcher variables through <paramref name="variable"/>; null when none is set.</summary>
    /// <param name="variable">Returns an environment variable's value, or null when it is unset.</param>
    /// <exception cref="DistributedException">A launcher variable is set but is not a non-negative integer.</exception>
    public static LaunchEnvironment? Detect(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (variable("OMPI_COMM_WORLD_SIZE") is not null)
        {
            return new LaunchEnvironment(
                "Open MPI",
                Required(variable, "OMPI_COMM_WORLD_RANK"),
                Required(variable, "OMPI_COMM_WORLD_SIZE"),
                Optional(variable, "OMPI_COMM_WORLD_LOCAL_RANK"),
                null);
        }

        if (variable("SLURM_NTASKS") is not null && variable("SLURM_PROCID") is not null && variable("SLURM_STEP_ID") is not null)
        {
            return new LaunchEnvironment(
                "Slurm",
                Required(variable, "SLURM_PROCID"),
                Required(variable, "SLURM_NTASKS"),
                Optional(variable, "SLURM_LOCALID"),
                Optional(variable, "SLURM_NODEID"));
        }

        if (variable("PMIX_RANK") is not null)
        {
            return new LaunchEnvironment("PMIx", Required(variable, "PMIX_RANK"), null, null, null);
        }

        return null;
    }

    private static int Required(Func<string, string?> variable, string name)
        => Optional(variable, name) ?? throw new DistributedException($"The launcher set some of its variables but not {name}.");

    private static int? Optional(Func<string, string?> variable, string name)
    {
        var text = variable(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new DistributedException($"The environment variable {name} is \"{text}\"; a launcher sets it to a non-negative integer.");
    }
}
