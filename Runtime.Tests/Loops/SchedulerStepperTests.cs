using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Volt.Loops;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Loops;

/// <summary>Scheduler stepping by Lightning's interval and frequency rules, on a real StepLR (gamma 0.5) over an SGD optimizer.</summary>
public sealed class SchedulerStepperTests : IDisposable
{
    private readonly TorchSharp.Modules.Parameter parameter = new(zeros(1));
    private readonly optim.Optimizer optimizer;

    public SchedulerStepperTests()
    {
        optimizer = optim.SGD([parameter], 1.0);
    }

    private double Rate => optimizer.ParamGroups.First().LearningRate;

    /// <summary>Runs <paramref name="epochs"/> epochs of <paramref name="batches"/> optimizer steps and returns the scheduler's step count.</summary>
    private static int Run(SchedulerStepper stepper, int epochs, int batches)
    {
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            for (var batch = 0; batch < batches; batch++)
            {
                stepper.AfterOptimizerStep(epoch, batch, lastBatch: batch == batches - 1);
            }

            stepper.AtEpochEnd(epoch, new Dictionary<string, double>());
        }

        return stepper.Scheduled[0].Steps;
    }

    [Theory]
    [InlineData(SchedulerInterval.Step, 1, 10)] // every batch of 2 epochs of 5
    [InlineData(SchedulerInterval.Step, 2, 4)] // batches 1 and 3 of each epoch
    [InlineData(SchedulerInterval.Epoch, 1, 2)] // each epoch's last batch
    [InlineData(SchedulerInterval.Epoch, 2, 1)] // epoch 1 only
    public void SchedulersStepOnTheirIntervalAndFrequency(SchedulerInterval interval, int frequency, int expectedSteps)
    {
        var stepper = new SchedulerStepper();
        stepper.Add(new SchedulerConfig(optim.lr_scheduler.StepLR(optimizer, 1, 0.5)) { Interval = interval, Frequency = frequency }, optimizerIndex: 0);

        Assert.Equal(expectedSteps, Run(stepper, epochs: 2, batches: 5));
        Assert.Equal(Math.Pow(0.5, expectedSteps), Rate, tolerance: 1e-12);
    }

    [Fact]
    public void ManualOptimizationStepsNothing()
    {
        var stepper = new SchedulerStepper { ManualOptimization = true };
        stepper.Add(new SchedulerConfig(optim.lr_scheduler.StepLR(optimizer, 1, 0.5)) { Interval = SchedulerInterval.Step }, optimizerIndex: 0);

        Assert.Equal(0, Run(stepper, epochs: 2, batches: 5));
        Assert.Equal(1.0, Rate, tolerance: 1e-12);
    }

    [Fact]
    public void PlateauSchedulersStepAtEpochEndWithTheirMetric()
    {
        var stepper = new SchedulerStepper();
        stepper.Add(new SchedulerConfig(optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor: 0.5, patience: 0)) { Monitor = "val_loss" }, optimizerIndex: 0);

        stepper.AfterOptimizerStep(epoch: 0, batchIndex: 0, lastBatch: true);
        Assert.Equal(0, stepper.Scheduled[0].Steps);
        stepper.AtEpochEnd(0, new Dictionary<string, double> { ["val_loss"] = 1.0 });
        stepper.AtEpochEnd(1, new Dictionary<string, double> { ["val_loss"] = 1.0 });

        Assert.Equal(2, stepper.Scheduled[0].Steps);
        Assert.Equal(0.5, Rate, tolerance: 1e-12); // no improvement at the second epoch end
    }

    [Fact]
    public void AStrictPlateauSchedulerFailsWithoutItsMetricAndALenientOneSkips()
    {
        var strict = new SchedulerStepper();
        strict.Add(new SchedulerConfig(optim.lr_scheduler.ReduceLROnPlateau(optimizer)) { Monitor = "val_loss" }, optimizerIndex: 0);
        var error = Assert.Throws<InvalidOperationException>(() => strict.AtEpochEnd(3, new Dictionary<string, double> { ["train_loss"] = 1.0 }));
        Assert.Contains("monitors 'val_loss', which was not logged by the end of epoch 3. Logged metrics: train_loss", error.Message);

        var lenient = new SchedulerStepper();
        lenient.Add(new SchedulerConfig(optim.lr_scheduler.ReduceLROnPlateau(optimizer)) { Monitor = "val_loss", Strict = false }, optimizerIndex: 0);
        lenient.AtEpochEnd(3, new Dictionary<string, double> { ["train_loss"] = 1.0 });
        Assert.Equal(0, lenient.Scheduled[0].Steps);
    }

    [Fact]
    public void ReplayBringsASchedulerToItsSavedStepCount()
    {
        var stepper = new SchedulerStepper();
        stepper.Add(new SchedulerConfig(optim.lr_scheduler.StepLR(optimizer, 1, 0.5)), optimizerIndex: 0);
        stepper.Replay(0, steps: 3);

        Assert.Equal(3, stepper.Scheduled[0].Steps);
        Assert.Equal(0.125, Rate, tolerance: 1e-12);
        Assert.Same(stepper.Scheduled[0].Config, stepper.ConfigOf(0));
        Assert.Null(stepper.ConfigOf(1));
    }

    public void Dispose()
    {
        optimizer.Dispose();
        parameter.Dispose();
    }
}
