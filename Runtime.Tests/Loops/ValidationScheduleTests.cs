using System;
using System.Collections.Generic;
using TorchSharp;
using Volt.Loops;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Loops;

/// <summary>The validation schedule's decisions against Lightning's documented rules, with the expected points written out by hand.</summary>
public sealed class ValidationScheduleTests
{
    /// <summary>The batches validation runs after, as "epoch:batch" pairs, over <paramref name="epochs"/> epochs of <paramref name="batches"/> batches.</summary>
    private static string ValidationPoints(TrainerOptions options, int epochs, int batches)
    {
        using var schedule = new ValidationSchedule(options);
        var points = new List<string>();
        long total = 0;
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            for (var batch = 0; batch < batches; batch++)
            {
                total++;
                if (schedule.ValidatesAfterBatch(epoch, batch, batches, total))
                {
                    points.Add($"{epoch}:{batch}");
                }
            }
        }

        return string.Join(",", points);
    }

    [Fact]
    public void ByDefaultValidationFollowsEachEpochsLastBatch()
        => Assert.Equal("0:9,1:9,2:9", ValidationPoints(new TrainerOptions(), epochs: 3, batches: 10));

    [Theory]
    [InlineData(0.5, 10, "0:4,0:9,1:4,1:9")]
    [InlineData(0.25, 10, "0:1,0:3,0:5,0:7,0:9,1:1,1:3,1:5,1:7,1:9")] // floor(2.5) = every 2 batches
    [InlineData(0.1, 5, "0:0,0:1,0:2,0:3,0:4,1:0,1:1,1:2,1:3,1:4")] // floor(0.5) = 0, at least 1
    public void AFractionValidatesWithinEachEpoch(double fraction, int batches, string expected)
        => Assert.Equal(expected, ValidationPoints(new TrainerOptions { ValCheckInterval = fraction }, epochs: 2, batches));

    [Fact]
    public void ACountValidatesEveryNBatchesOfTheEpoch()
        => Assert.Equal("0:2,0:5,0:8,1:2,1:5,1:8", ValidationPoints(new TrainerOptions { ValCheckInterval = 3 }, epochs: 2, batches: 10));

    [Fact]
    public void CheckValEveryNEpochSkipsTheOtherEpochs()
        => Assert.Equal("1:9,3:9", ValidationPoints(new TrainerOptions { CheckValEveryNEpoch = 2 }, epochs: 4, batches: 10));

    [Fact]
    public void WithoutEpochGatingACountRunsAcrossEpochs()
        // Batches 4, 8, 12, 16 and 20 of the fit: epoch 0 batches 3 and 7, epoch 1 batches 1, 5 and 9.
        => Assert.Equal(
            "0:3,0:7,1:1,1:5,1:9",
            ValidationPoints(new TrainerOptions { ValCheckInterval = 4, CheckValEveryNEpoch = null }, epochs: 2, batches: 10));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void LimitValBatchesZeroDisablesValidation(bool asFraction)
    {
        var options = new TrainerOptions { LimitValBatches = asFraction ? BatchLimit.FractionOfBatches(0.0) : BatchLimit.Batches(0), ValCheckInterval = 0.5 };
        Assert.Equal("", ValidationPoints(options, epochs: 2, batches: 10));
        Assert.True(ValidationSchedule.IsDisabled(options));
        using var schedule = new ValidationSchedule(options);
        Assert.False(schedule.RunsSanityCheck(resumed: false));
    }

    [Theory]
    [InlineData(2, 1.0, false, true)]
    [InlineData(-1, 1.0, false, true)]
    [InlineData(0, 1.0, false, false)]
    [InlineData(2, 0.0, false, false)]
    [InlineData(2, 1.0, true, false)]
    public void TheSanityCheckRunsUnlessOffDisabledOrResuming(int steps, double limitValBatches, bool resumed, bool expected)
    {
        using var schedule = new ValidationSchedule(new TrainerOptions { NumSanityValSteps = steps, LimitValBatches = limitValBatches });
        Assert.Equal(expected, schedule.RunsSanityCheck(resumed));
    }

    [Theory]
    [InlineData(2, 5, true, 2)]
    [InlineData(2, 5, false, 5)]
    [InlineData(-1, 5, true, 5)]
    [InlineData(10, 5, true, 5)]
    public void TheSanityCheckRunsNumSanityValStepsBatches(int steps, int batches, bool sanityChecking, int expected)
        => Assert.Equal(expected, ValidationSchedule.BatchesToRun(new TrainerOptions { NumSanityValSteps = steps }, batches, sanityChecking));

    [Fact]
    public void TheSanityCheckRestoresTorchsRandomState()
    {
        manual_seed(5);
        using var schedule = new ValidationSchedule(new TrainerOptions());
        Assert.True(schedule.BeginSanityCheck(resumed: false));
        float drawnDuringCheck;
        using (var during = rand(1))
        {
            drawnDuringCheck = during.ToSingle();
        }

        schedule.EndSanityCheck();
        using var after = rand(1);
        Assert.Equal(drawnDuringCheck, after.ToSingle());
    }

    [Fact]
    public void AnIntervalLongerThanAnEpochIsRejectedOnlyWhenValidationRunsPerEpoch()
    {
        var tooLong = new TrainerOptions { ValCheckInterval = 12 };
        var error = Assert.Throws<ArgumentException>(() => ValidationSchedule.CheckFitsEpoch(tooLong, trainBatchCount: 10, hasValidation: true));
        Assert.Contains("ValCheckInterval is 12 batches but an epoch has 10", error.Message);

        ValidationSchedule.CheckFitsEpoch(tooLong, trainBatchCount: 10, hasValidation: false);
        ValidationSchedule.CheckFitsEpoch(tooLong with { CheckValEveryNEpoch = null }, trainBatchCount: 10, hasValidation: true);
        ValidationSchedule.CheckFitsEpoch(tooLong with { LimitValBatches = 0 }, trainBatchCount: 10, hasValidation: true);
    }
}
