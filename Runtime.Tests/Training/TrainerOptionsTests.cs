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
    [InlineData("AccumulateGradBatches", "0")]
    [InlineData("GradientClipVal", "-1")]
    [InlineData("ValCheckInterval", "1.5")]
    [InlineData("CheckValEveryNEpoch", "0")]
    [InlineData("NumSanityValSteps", "-2")]
    [InlineData("FastDevRun", "-1")]
    [InlineData("MinEpochs", "-1")]
    [InlineData("OverfitBatches", "2.5")]
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
            "AccumulateGradBatches" => new TrainerOptions { AccumulateGradBatches = int.Parse(value) },
            "GradientClipVal" => new TrainerOptions { GradientClipVal = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "ValCheckInterval" => new TrainerOptions { ValCheckInterval = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
            "CheckValEveryNEpoch" => new TrainerOptions { CheckValEveryNEpoch = int.Parse(value) },
            "NumSanityValSteps" => new TrainerOptions { NumSanityValSteps = int.Parse(value) },
            "FastDevRun" => new TrainerOptions { FastDevRun = int.Parse(value) },
            "MinEpochs" => new TrainerOptions { MinEpochs = int.Parse(value) },
            "OverfitBatches" => new TrainerOptions { OverfitBatches = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
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
    public void ContradictoryOptionsNameBothSides()
    {
        var error = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { MinEpochs = 5, MaxEpochs = 2 }));
        Assert.Contains("MinEpochs (5)", error.Message);
        Assert.Contains("MaxEpochs (2)", error.Message);

        var fraction = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { ValCheckInterval = 0.5, CheckValEveryNEpoch = null }));
        Assert.Contains("ValCheckInterval", fraction.Message);
        Assert.Contains("CheckValEveryNEpoch", fraction.Message);
    }

    [Fact]
    public void ValidOptionsAreAccepted()
    {
        var trainer = new Trainer(new TrainerOptions { MaxEpochs = 3, Device = "cpu", LimitTrainBatches = 0.5 });
        Assert.Equal(3, trainer.Options.MaxEpochs);
    }
}
