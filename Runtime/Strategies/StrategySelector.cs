using System;

namespace Volt.Strategies;

/// <summary>
/// Picks the strategy a <see cref="Trainer"/> creates from <see cref="TrainerOptions.Strategy"/>,
/// <see cref="TrainerOptions.Devices"/> and <see cref="TrainerOptions.NumNodes"/> (Lightning's
/// accelerator connector): "single", or "auto" with one device on one node, trains in this process.
/// </summary>
internal static class StrategySelector
{
    /// <summary>Creates the strategy the validated <paramref name="options"/> ask for; the caller owns it.</summary>
    /// <param name="options">Validated trainer options.</param>
    /// <exception cref="ArgumentException">The options ask for several processes, which the single-process runtime cannot run.</exception>
    public static Strategy Create(TrainerOptions options)
    {
        var processes = (long)options.Devices * options.NumNodes;
        if (options.Strategy == "ddp" || processes > 1)
        {
            throw new ArgumentException(
                $"TrainerOptions.Strategy is \"{options.Strategy}\" with Devices = {options.Devices} and NumNodes = {options.NumNodes}, which asks for distributed data-parallel training; "
                + "the \"ddp\" strategy is provided by the Volt.Distributed part, which this build does not include. "
                + "Train in one process (Strategy = \"single\" or \"auto\" with Devices = 1 and NumNodes = 1), or pass a Strategy instance to the Trainer.");
        }

        return new SingleDeviceStrategy(DeviceSpec.Resolve(options.Device));
    }
}
