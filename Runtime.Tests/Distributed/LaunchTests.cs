using System.Collections.Generic;
using Volt.Distributed;

namespace Volt.Runtime.Tests.Distributed;

/// <summary>Reading the launcher's environment, choosing the strategy, and the mpirun relaunch command.</summary>
public sealed class LaunchTests
{
    [Fact]
    public void OpenMpiSlurmAndPmixVariablesAreRead()
    {
        var openMpi = LaunchEnvironment.Detect(Variables(("OMPI_COMM_WORLD_RANK", "3"), ("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1")));
        Assert.Equal(new LaunchEnvironment("Open MPI", 3, 4, 1, null), openMpi);
        var slurm = LaunchEnvironment.Detect(Variables(("SLURM_PROCID", "5"), ("SLURM_NTASKS", "8"), ("SLURM_LOCALID", "1"), ("SLURM_NODEID", "2"), ("SLURM_STEP_ID", "0")));
        Assert.Equal(new LaunchEnvironment("Slurm", 5, 8, 1, 2), slurm);
        Assert.Equal(new LaunchEnvironment("PMIx", 2, null, null, null), LaunchEnvironment.Detect(Variables(("PMIX_RANK", "2"))));
    }

    [Fact]
    public void NoLauncherAndAnSbatchShellWithoutSrunAreNotLaunches()
    {
        Assert.Null(LaunchEnvironment.Detect(Variables()));
        Assert.Null(LaunchEnvironment.Detect(Variables(("SLURM_PROCID", "0"), ("SLURM_NTASKS", "2"))));
    }

    [Fact]
    public void AMalformedLauncherVariableIsNamed()
    {
        var error = Assert.Throws<DistributedException>(() => LaunchEnvironment.Detect(Variables(("OMPI_COMM_WORLD_RANK", "x"), ("OMPI_COMM_WORLD_SIZE", "2"))));
        Assert.Contains("OMPI_COMM_WORLD_RANK", error.Message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("auto", 1, 1, null, false)]
    [InlineData("auto", 2, 1, null, true)]
    [InlineData("auto", 1, 2, null, true)]
    [InlineData("auto", 1, 1, 2, true)]
    [InlineData("single", 1, 1, 2, false)]
    [InlineData("ddp", 1, 1, null, true)]
    public void AutoIsDdpWhenSeveralProcessesAreAskedForOrLaunched(string strategy, int devices, int nodes, int? launched, bool ddp)
    {
        var options = new TrainerOptions { Strategy = strategy, Devices = devices, NumNodes = nodes };
        var launch = launched is { } size ? new LaunchEnvironment("Open MPI", 0, size, 0, null) : null;
        Assert.Equal(ddp, DistributedStrategies.UsesDdp(options, launch));
    }

    [Fact]
    public void TheRelaunchCommandRerunsTheAssemblyWithItsArgumentsUnderMpirun()
    {
        var command = MpiLauncher.Command(2, "/usr/share/dotnet/dotnet", ["/app/Train.dll", "--devices", "2"], asRoot: true);
        Assert.Equal(["mpirun", "--allow-run-as-root", "--oversubscribe", "--bind-to", "none", "-x", "VOLT_DDP_LAUNCHED=1", "-np", "2", "/usr/share/dotnet/dotnet", "/app/Train.dll", "--devices", "2"], command);
        var apphost = MpiLauncher.Command(4, "/app/Train", ["/app/Train", "--fast"], asRoot: false);
        Assert.Equal(["mpirun", "--oversubscribe", "--bind-to", "none", "-x", "VOLT_DDP_LAUNCHED=1", "-np", "4", "/app/Train", "--fast"], apphost);
    }

    [Fact]
    public void NcclIsNamedWhenAbsentAndRefusesCpuDevices()
    {
        // This machine has no NCCL (CPU-only CI); on a GPU machine with NCCL the load succeeds instead.
        if (!System.Runtime.InteropServices.NativeLibrary.TryLoad(NcclProcessGroup.FileName, out _))
        {
            var missing = Assert.Throws<DistributedException>(() => NcclProcessGroup.LoadLibrary());
            Assert.Contains("libnccl.so.2", missing.Message, System.StringComparison.Ordinal);
        }

        var cpu = Assert.Throws<DistributedException>(() => NcclProcessGroup.Open(null!, TorchSharp.torch.CPU));
        Assert.Contains("CUDA tensors only", cpu.Message, System.StringComparison.Ordinal);
    }

    private static System.Func<string, string?> Variables(params (string Name, string Value)[] values)
    {
        var map = new Dictionary<string, string>();
        foreach (var (name, value) in values)
        {
            map[name] = value;
        }

        return name => map.TryGetValue(name, out var value) ? value : null;
    }
}

/// <summary>What a machine without Open MPI is told.</summary>
public sealed class MissingMpiTests
{
    [Fact]
    public void AMissingMpiLibraryIsNamedWithHowToInstallIt()
    {
        var error = Assert.Throws<DistributedException>(() => MpiLibrary.Load("libmpi-absent.so.40"));
        Assert.Contains("libmpi-absent.so.40", error.Message, System.StringComparison.Ordinal);
        Assert.Contains("apt-get install openmpi-bin", error.Message, System.StringComparison.Ordinal);
    }
}

/// <summary>Options the distributed runtime does not support fail before training.</summary>
public sealed class UnsupportedDistributedOptionTests
{
    [Fact]
    public void SyncBatchNormIsRefusedWithTheReason()
    {
        var error = Assert.Throws<System.ArgumentException>(() => new Trainer(new TrainerOptions { SyncBatchNorm = true }));
        Assert.Contains("SyncBatchNorm is true", error.Message, System.StringComparison.Ordinal);
        Assert.Contains("docs/distributed.md#syncbatchnorm", error.Message, System.StringComparison.Ordinal);
    }
}
