using System;

namespace Volt.Strategies;

/// <summary>
/// Picks the strategy a <see cref="Trainer"/> creates from <see cref="TrainerOptions.Strategy"/>,
/// <see cref="TrainerOptions.Devices"/> and <see cref="TrainerOptions.NumNodes"/> (Lightning's
/// accelerator connector): "single", or "auto" with one device on one node and no launcher, trains in
/// this process; otherwise <see cref="Distributed.DdpStrategy"/> (see <see cref="Distributed.DistributedStrategies"/>).
/// </summary>
internal static class StrategySelector
{
    /// <summary>Creates the strategy the validated <paramref name="options"/> ask for; the caller owns it.</summary>
    /// <param name="options">Validated trainer options.</param>
    /// <exception cref="Distributed.DistributedException">ddp is asked for and MPI or NCCL is missing, or the launcher's processes or the GPUs disagree with the options.</exception>
    public static Strategy Create(TrainerOptions options)
        => Distributed.DistributedStrategies.Create(options, () => DeviceSpec.Resolve(options.Device));
}
