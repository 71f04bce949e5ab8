using System;
using System.IO;
using TorchSharp;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Strategies;

/// <summary>The trainer's strategy comes from the options unless one is passed in; bad combinations fail at construction.</summary>
public sealed class StrategySelectionTests
{
    [Theory]
    [InlineData("single")]
    [InlineData("auto")]
    public void OneDeviceOnOneNodeTrainsInThisProcess(string strategy)
    {
        using var trainer = new Trainer(new TrainerOptions { Strategy = strategy, Device = "cpu" });
        var single = Assert.IsType<SingleDeviceStrategy>(trainer.Strategy);
        Assert.Equal(DeviceType.CPU, single.Device.type);
        Assert.Equal(1, single.WorldSize);
        Assert.True(trainer.IsGlobalZero);
    }

    [Theory]
    [InlineData("auto", 1, 3)]
    [InlineData("ddp", 4, 2)]
    public void SeveralNodesWithoutALauncherAreRefusedBeforeAnyTraining(string strategy, int devices, int numNodes)
    {
        // One process cannot start the others on other machines: mpirun or srun must (docs/distributed.md).
        // Devices > 1 on one node relaunches the program under mpirun instead; the DDP tests cover that with a worker program.
        var error = Assert.Throws<Volt.Distributed.DistributedException>(() => new Trainer(new TrainerOptions { Strategy = strategy, Devices = devices, NumNodes = numNodes }));
        Assert.Contains($"NumNodes is {numNodes}, but this process was not started by a launcher", error.Message);
    }

    [Theory]
    [InlineData("Strategy", "Strategy is \"dp\"; allowed values are \"auto\", \"single\" and \"ddp\"")]
    [InlineData("Devices", "Devices is 0; use a process count >= 1")]
    [InlineData("NumNodes", "NumNodes is -1; use a node count >= 1")]
    [InlineData("single", "Strategy is \"single\" but Devices is 2 and NumNodes is 1; \"single\" trains one process on one device")]
    public void BadStrategyOptionsAreNamed(string option, string expected)
    {
        var options = option switch
        {
            "Strategy" => new TrainerOptions { Strategy = "dp" },
            "Devices" => new TrainerOptions { Devices = 0 },
            "NumNodes" => new TrainerOptions { NumNodes = -1 },
            "single" => new TrainerOptions { Strategy = "single", Devices = 2 },
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };
        var error = Assert.Throws<ArgumentException>(() => new Trainer(options));
        Assert.StartsWith("Invalid TrainerOptions:", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void AGivenStrategyWinsOverTheOptionsAndStaysTheCallers()
    {
        var given = new CountingStrategy();
        var trainer = new Trainer(new TrainerOptions { Strategy = "ddp", Devices = 2, Device = "cuda" }, strategy: given, console: TextWriter.Null);
        Assert.Same(given, trainer.Strategy);

        trainer.Dispose();
        Assert.Equal(0, given.Disposals);
        var (x, y) = Training.TestData.Linear(4);
        using var module = new Training.Regression();
        using var loader = Training.TestData.Loader(x, y, batchSize: 2, shuffle: false);
        Assert.Throws<ObjectDisposedException>(() => trainer.Validate(module, loader));
        x.Dispose();
        y.Dispose();
    }

    private sealed class CountingStrategy : Strategy
    {
        public override Device Device => CPU;

        public int Disposals { get; private set; }

        protected override void Dispose(bool disposing) => Disposals++;
    }
}
