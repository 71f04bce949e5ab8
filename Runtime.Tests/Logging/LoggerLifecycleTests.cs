using System;
using System.IO;
using System.Linq;
using Volt.Logging;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Logging;

/// <summary>The trainer opens its loggers in the run directory, gives them the hyperparameters and finishes them once per call, on failure too.</summary>
public sealed class LoggerLifecycleTests : IDisposable
{
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void ALoggerIsOpenedGivenTheHyperparametersAndMetricsAndFinishedOncePerCall()
    {
        var (x, y) = TestData.Linear(16);
        using var _x = x;
        using var _y = y;
        using var module = new Regression(inputs: 3, learningRate: 0.05, label: "lifecycle");
        using var train = TestData.Loader(x, y, batchSize: 4, shuffle: false);
        var logger = new RecordingLogger();
        var trainer = new Trainer(root.Options(2) with { EnableCheckpointing = false, LogEveryNSteps = 1 }, loggers: [logger]);

        trainer.Fit(module, train);

        Assert.Equal(["Open", "LogHyperparameters", "LogMetrics", "Flush"], logger.Calls.Take(4));
        Assert.Equal(trainer.LogDir, logger.RunDirectory);
        Assert.Equal(3L, logger.Hyperparameters!["inputs"]);
        Assert.Equal(0.05, (double)logger.Hyperparameters["learningRate"]!, 1e-12);
        Assert.Equal("lifecycle", logger.Hyperparameters["label"]);
        Assert.Contains("train_loss_step", logger.MetricNames);
        Assert.Contains("train_loss_epoch", logger.MetricNames);
        Assert.Equal("Finish(Success)", logger.Calls[^1]);
        Assert.Equal([RunStatus.Success], logger.Finishes);

        // Lightning finalizes at the end of every trainer call; the logger is opened once per run directory.
        trainer.Test(module, train);
        Assert.Equal([RunStatus.Success, RunStatus.Success], logger.Finishes);
        Assert.Single(logger.Calls, c => c == "Open");
        Assert.Contains("test_loss", logger.MetricNames);
    }

    [Fact]
    public void AStepThatThrowsFinishesTheLoggersAsFailedAndKeepsTheRowsLoggedBefore()
    {
        var logger = new RecordingLogger();
        var (trainer, error) = FitFailingStep(root.Options(1) with { LogEveryNSteps = 1 }, failAtBatch: 2, [new CsvLogger(), logger]);

        Assert.Equal("the step of batch 2 fails on purpose", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.Equal([RunStatus.Failed], logger.Finishes);
        Assert.Equal("Finish(Failed)", logger.Calls[^1]);
        Assert.Equal(["step,batch_index,epoch", "0,0,0", "1,1,0"], File.ReadAllLines(Path.Combine(trainer.LogDir!, CsvLogger.FileName)));
    }

    [Fact]
    public void ALoggerThatFailsToFinishDoesNotHideTheErrorThatEndedTheCall()
    {
        var after = new RecordingLogger();
        var console = new StringWriter();
        var (_, error) = FitFailingStep(root.Options(1), failAtBatch: 1, [new RecordingLogger { ThrowOnFinish = true }, after], console);

        Assert.Equal("the step of batch 1 fails on purpose", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.Equal([RunStatus.Failed], after.Finishes);
        Assert.Contains("RecordingLogger failed to finish with status Failed", console.ToString());
        Assert.Contains("the recording logger's Finish fails on purpose", console.ToString());
    }

    [Fact]
    public void ALoggerThatFailsToFinishASuccessfulCallFailsItAfterTheOthersAreFinished()
    {
        var after = new RecordingLogger();
        var (_, error) = FitFailingStep(root.Options(1), failAtBatch: -1, [new RecordingLogger { ThrowOnFinish = true }, after]);

        Assert.Equal("the recording logger's Finish fails on purpose", Assert.IsType<InvalidOperationException>(error).Message);
        Assert.Equal([RunStatus.Success], after.Finishes);
    }

    [Fact]
    public void NoLoggersOrLoggingOffMeansNoLoggerCallsAndNoMetricsFile()
    {
        var (none, noneError) = FitFailingStep(root.Options(1) with { RunName = "none" }, failAtBatch: -1, []);
        Assert.Null(noneError);
        Assert.True(File.Exists(Path.Combine(none.LogDir!, HyperparameterFile.FileName)));
        Assert.False(File.Exists(Path.Combine(none.LogDir!, CsvLogger.FileName)));
        Assert.Empty(none.Loggers);

        var logger = new RecordingLogger();
        var (off, offError) = FitFailingStep(root.Options(1) with { EnableLogging = false }, failAtBatch: -1, [logger]);
        Assert.Null(offError);
        Assert.Null(off.LogDir);
        Assert.Empty(logger.Calls);

        var byDefault = new Trainer(root.Options(1));
        Assert.Collection(byDefault.Loggers, l => Assert.IsType<TensorBoardLogger>(l), l => Assert.IsType<CsvLogger>(l));
    }

    [Fact]
    public void AnInterruptedFitFinishesTheLoggersAsInterrupted()
    {
        var logger = new RecordingLogger();
        using var x = TorchSharp.torch.ones(8, 1);
        using var y = TorchSharp.torch.zeros(8, 1);
        using var module = new FailingStep { FailAtBatch = -1 };
        using var train = TestData.Loader(x, y, batchSize: 2, shuffle: false);
        var trainer = new Trainer(root.Options(1) with { EnableCheckpointing = false }, callbacks: [new InterruptAtBatch(1)], loggers: [logger]);

        var error = Record.Exception(() => trainer.Fit(module, train));

        Assert.IsType<TrainingInterruptedException>(error);
        Assert.Equal([RunStatus.Interrupted], logger.Finishes);
        Assert.Equal("Finish(Interrupted)", logger.Calls[^1]);
    }

    [Fact]
    public void NullLoggersAreRejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new Trainer(root.Options(1), loggers: [null!]));
        Assert.Contains("loggers", error.Message);
    }

    /// <summary>Fits a <see cref="FailingStep"/> over 8 samples in batches of 2, without checkpoints; returns the trainer and what the fit threw.</summary>
    private static (Trainer Trainer, Exception? Error) FitFailingStep(TrainerOptions options, int failAtBatch, IMetricLogger[] loggers, TextWriter? console = null)
    {
        using var x = TorchSharp.torch.ones(8, 1);
        using var y = TorchSharp.torch.zeros(8, 1);
        using var module = new FailingStep { FailAtBatch = failAtBatch };
        using var train = TestData.Loader(x, y, batchSize: 2, shuffle: false);
        var trainer = new Trainer(options with { EnableCheckpointing = false }, loggers: loggers, console: console);
        return (trainer, Record.Exception(() => trainer.Fit(module, train)));
    }

    /// <summary>Ends fitting after batch <c>batchIndex</c> the way a SIGINT does (the trainer's interrupt handling throws the same exception).</summary>
    private sealed class InterruptAtBatch(int batchIndex) : Callbacks.Callback
    {
        public override void OnTrainBatchEnd(Callbacks.CallbackContext context, int index)
        {
            if (index == batchIndex)
            {
                throw new TrainingInterruptedException(System.Runtime.InteropServices.PosixSignal.SIGINT, checkpointPath: null, "Interrupted by SIGINT (test).");
            }
        }
    }
}
