using System;

namespace Volt.Runtime.Tests.Training;

/// <summary>Invalid options fail when the trainer is created, naming the option and what is allowed.</summary>
public sealed class TrainerOptionsTests
{
    [Theory]
    [InlineData("MaxEpochs", "0")]
    [InlineData("MaxSteps", "-2")]
    [InlineData("Device", "tpu")]
    [InlineData("LimitTrainBatches", "1.5")]
    [InlineData("LimitValBatches", "-1")]
    [InlineData("DefaultRootDir", "")]
    public void InvalidOptionFailsBeforeTraining(string option, string value)
    {
        var options = option switch
        {
            "MaxEpochs" => new TrainerOptions { MaxEpochs = int.Parse(value) },
            "MaxSteps" => new TrainerOptions { MaxSteps = long.Parse(value) },
            "Device" => new TrainerOptions { Device = value },
            "LimitTrainBatches" => new TrainerOptions { LimitTrainBatches = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "LimitValBatches" => new TrainerOptions { LimitValBatches = int.Parse(value) },
            "DefaultRootDir" => new TrainerOptions { DefaultRootDir = value },
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };
        var error = Assert.Throws<ArgumentException>(() => new Trainer(options));
        Assert.Contains(option, error.Message);
    }

    [Fact]
    public void EveryProblemIsListed()
    {
        var error = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { MaxEpochs = -1, Device = "cuda:x" }));
        Assert.Contains("MaxEpochs", error.Message);
        Assert.Contains("Device", error.Message);
        Assert.Contains("cuda:N", error.Message);
    }

    [Fact]
    public void ValidOptionsAreAccepted()
    {
        var trainer = new Trainer(new TrainerOptions { MaxEpochs = 3, Device = "cpu", LimitTrainBatches = 0.5 });
        Assert.Equal(3, trainer.Options.MaxEpochs);
    }
}
