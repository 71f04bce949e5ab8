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

    [Theory]
    [InlineData("Precision", "Precision is \"bf16mixed\"; did you mean \"bf16-mixed\"? Use one of: 32-true, bf16-mixed, 16-mixed, bf16-true, 16-true, 64-true, or Lightning's aliases 64, 32, 16, bf16")]
    [InlineData("LimitTrainBatches", "LimitTrainBatches is 1.5; use a fraction in [0.0, 1.0] or a whole batch count >= 0")]
    [InlineData("LimitValBatches", "LimitValBatches is -1; use a batch count >= 0 or a fraction in [0.0, 1.0]")]
    [InlineData("ValCheckInterval", "ValCheckInterval is 1.5; use a fraction in [0.0, 1.0] or a whole batch count >= 0")]
    public void ProblemsReadAsOneSentence(string option, string expected)
    {
        var options = option switch
        {
            "Precision" => new TrainerOptions { Precision = "bf16mixed" },
            "LimitTrainBatches" => new TrainerOptions { LimitTrainBatches = 1.5 },
            "LimitValBatches" => new TrainerOptions { LimitValBatches = -1 },
            "ValCheckInterval" => new TrainerOptions { ValCheckInterval = 1.5 },
            _ => throw new ArgumentOutOfRangeException(nameof(option)),
        };
        var error = Assert.Throws<ArgumentException>(() => new Trainer(options));
        Assert.Equal(["Invalid TrainerOptions:", "  - " + expected], error.Message.Split(Environment.NewLine));
    }

    [Fact]
    public void AnInvalidMaxEpochsIsNotAlsoComparedWithMinEpochs()
    {
        var error = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { MaxEpochs = -5 }));
        Assert.Contains("MaxEpochs is -5", error.Message);
        Assert.DoesNotContain("MinEpochs", error.Message);
    }

    [Theory]
    [InlineData("32", "32-true", false)]
    [InlineData("64", "64-true", false)]
    [InlineData("16", "16-mixed", true)]
    [InlineData("bf16", "bf16-mixed", true)]
    [InlineData("bf16-mixed", "bf16-mixed", false)]
    public void LightningsPrecisionAliasesMapAsLightningMapsThem(string alias, string canonical, bool discouraged)
    {
        var console = new System.IO.StringWriter();
        var trainer = new Trainer(new TrainerOptions { Precision = alias }, console: console);
        Assert.Equal(canonical, trainer.Options.Precision);
        if (discouraged)
        {
            Assert.Equal($"Precision \"{alias}\" is Lightning's legacy alias of \"{canonical}\"; write Precision = \"{canonical}\" instead." + Environment.NewLine, console.ToString());
        }
        else
        {
            Assert.Empty(console.ToString());
        }
    }

    [Fact]
    public void ValidOptionsAreAccepted()
    {
        var trainer = new Trainer(new TrainerOptions { MaxEpochs = 3, Device = "cpu", LimitTrainBatches = 0.5 });
        Assert.Equal(3, trainer.Options.MaxEpochs);
    }
}
