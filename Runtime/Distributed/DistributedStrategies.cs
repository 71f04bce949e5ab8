using System;
using TorchSharp;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Distributed;

/// <summary>
/// Turns <see cref="TrainerOptions.Strategy"/>, <see cref="TrainerOptions.Devices"/> and
/// <see cref="TrainerOptions.NumNodes"/> into a strategy (Lightning's accelerator connector): "auto" is
/// "ddp" when several processes are asked for or a launcher started several, else "single". A ddp
/// request without a launcher re-runs the program under <c>mpirun</c> first (<see cref="MpiLauncher"/>).
/// </summary>
public static class DistributedStrategies
{
    /// <summary>Whether these options train data-parallel in this process's environment.</summary>
    /// <param name="options">The validated options.</param>
    /// <param name="launch">What the launcher says, or null when none started this process.</param>
    public static bool UsesDdp(TrainerOptions options, LaunchEnvironment? launch)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Strategy switch
        {
            "ddp" => true,
            "single" => false,
            _ => options.Devices * options.NumNodes > 1 || launch?.WorldSize > 1,
        };
    }

    /// <summary>
    /// The strategy for <paramref name="options"/>: a <see cref="SingleDeviceStrategy"/> on
    /// <paramref name="singleDevice"/>, or a <see cref="DdpStrategy"/> over the launcher's processes. With
    /// ddp and no launcher, Devices × NumNodes above 1 relaunches this program under mpirun (this call then
    /// never returns in the original process).
    /// </summary>
    /// <param name="options">The validated options.</param>
    /// <param name="singleDevice">Resolves the single-process device (TrainerOptions.Device).</param>
    /// <exception cref="DistributedException">MPI or NCCL is missing, or the launcher's process count or the GPUs disagree with the options.</exception>
    public static Strategy Create(TrainerOptions options, Func<Device> singleDevice)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(singleDevice);
        var launch = LaunchEnvironment.Detect();
        if (!UsesDdp(options, launch))
        {
            return new SingleDeviceStrategy(singleDevice());
        }

        var requested = options.Devices * options.NumNodes;
        if (launch is null && Environment.GetEnvironmentVariable(MpiLauncher.LaunchedVariable) is null && requested > 1)
        {
            if (options.NumNodes > 1)
            {
                throw new DistributedException(
                    $"NumNodes is {options.NumNodes}, but this process was not started by a launcher; start one process per device on every node with mpirun or srun (docs/distributed.md).");
            }

            MpiLauncher.Relaunch(requested);
        }

        var group = MpiProcessGroup.Open();
        try
        {
            CheckWorldSize(options, group);
            var device = RankDevice(options.Device, group.LocalRank);
            var cuda = device.type == DeviceType.CUDA ? NcclProcessGroup.Open(group, device) : null;
            return new DdpStrategy(group, device, cuda);
        }
        catch
        {
            group.Dispose();
            throw;
        }
    }

    /// <summary>Lightning's check: the launcher's processes must match Devices × NumNodes, unless both are left at 1 (then the launcher decides).</summary>
    private static void CheckWorldSize(TrainerOptions options, IProcessGroup group)
    {
        var requested = options.Devices * options.NumNodes;
        if ((options.Devices != 1 || options.NumNodes != 1) && requested != group.WorldSize)
        {
            throw new DistributedException(
                $"The launcher started {group.WorldSize} process(es) but TrainerOptions ask for Devices × NumNodes = {options.Devices} × {options.NumNodes} = {requested}; "
                + "start as many processes as devices on all nodes, or leave Devices and NumNodes at 1 to take the launcher's count.");
        }
    }

    /// <summary>CPU, or cuda:&lt;local rank&gt; (each process of a node takes its own GPU).</summary>
    private static Device RankDevice(string deviceSetting, int localRank)
    {
        var setting = deviceSetting.Trim().ToLowerInvariant();
        var cudaAvailable = torch.cuda.is_available();
        if (setting == "cpu" || (setting == "auto" && !cudaAvailable))
        {
            return torch.CPU;
        }

        if (!cudaAvailable)
        {
            throw new DistributedException($"TrainerOptions.Device is \"{deviceSetting}\", but CUDA is not available in this process.");
        }

        var count = torch.cuda.device_count();
        if (localRank >= count)
        {
            throw new DistributedException(
                $"Local rank {localRank} needs cuda:{localRank}, but this node has {count} CUDA device(s); start at most {count} process(es) per node (Devices).");
        }

        return torch.device(DeviceType.CUDA, localRank);
    }
}
