using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Volt.Callbacks;
using Volt.Runtime.Tests.Logging;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Profiling;

/// <summary>
/// TrainerOptions.Profiler = "simple" (Lightning's SimpleProfiler): the report lists every hook and phase
/// with the number of times it ran, its times nest as the loop does and add up within the measured call,
/// it is printed and written to the run directory also when the call fails, and the option is checked.
/// </summary>
public sealed class ProfilerTests() : TrainingTest(samples: 20)
{
    /// <summary>Printed numbers have five significant digits; comparisons allow for that rounding.</summary>
    private const double Rounding = 1e-4;

    [Fact]
    public void TheFitTableCountsEveryPhaseAndHookAsOftenAsItRan()
    {
        var console = new StringWriter();
        var counter = new HookCounter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        var options = Root.Options(2) with
        {
            Profiler = "simple",
            AccumulateGradBatches = 2,
            LimitValBatches = 2,
            NumSanityValSteps = 0,
        };
        var trainer = new Trainer(options, callbacks: [counter], console: console);

        trainer.Fit(module, train, validation);

        var table = ProfilerTable.Parse(console.ToString());
        Assert.Equal("FIT Profiler Report", table.Title);

        // 2 epochs × 5 batches; accumulating 2 batches steps after batches 1, 3 and the epoch's last (4): 3 steps an epoch.
        Assert.Equal(2, table.Count("run_training_epoch"));
        Assert.Equal(10, table.Count("run_training_batch"));
        Assert.Equal(10, table.Count("[FitLoop].train_dataloader_next"));
        Assert.Equal(10, table.Count("[Module]Regression.TrainingStep"));
        Assert.Equal(10, table.Count("[Module]Regression.Backward"));
        Assert.Equal(6, table.Count("[Module]Regression.OptimizerStep"));
        Assert.Equal(2, table.Count("run_validation_epoch"));
        Assert.Equal(4, table.Count("[EvaluationLoop].val_next"));
        Assert.Equal(4, table.Count("[Module]Regression.ValidationStep"));
        Assert.Equal(10 + 4, table.Count("[Module]Regression.MoveBatchToDevice"));

        // Each callback's hooks, as often as the callback saw them.
        Assert.Equal(counter.TrainBatchEnds, table.Count("[Callback]HookCounter.OnTrainBatchEnd"));
        Assert.Equal(10, counter.TrainBatchEnds);
        Assert.Equal(counter.OptimizerSteps, table.Count("[Callback]HookCounter.OnBeforeOptimizerStep"));
        Assert.Equal(6, counter.OptimizerSteps);
        Assert.Equal(4, table.Count("[Callback]HookCounter.OnValidationBatchEnd"));
        Assert.Equal(1, table.Count("[Callback]HookCounter.OnFitStart"));
        Assert.Equal(2, table.Count("[Callback]ModelCheckpoint.OnValidationEpochEnd"));

        Assert.Equal(table.Ordered.Sum(row => row.Count), table.TotalCount);
    }

    [Fact]
    public void TwoCallbacksOfOneClassAreToldApartByTheirStateKeys()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        var everyEpoch = new ModelCheckpoint { SaveLast = false };
        var everyTwoSteps = new ModelCheckpoint { EveryNTrainSteps = 2, SaveTopK = 0 };
        new Trainer(Root.Options(1) with { Profiler = "simple" }, callbacks: [everyEpoch, everyTwoSteps], console: console).Fit(module, train);

        var table = ProfilerTable.Parse(console.ToString());
        Assert.Equal(5, table.Count($"[Callback]{everyEpoch.StateKey}.OnTrainBatchEnd"));
        Assert.Equal(5, table.Count($"[Callback]{everyTwoSteps.StateKey}.OnTrainBatchEnd"));
        Assert.NotEqual(everyEpoch.StateKey, everyTwoSteps.StateKey);
    }

    [Fact]
    public void TheTimesNestAsTheLoopDoesAndStayWithinTheMeasuredFit()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        var trainer = new Trainer(Root.Options(2) with { Profiler = "simple", NumSanityValSteps = 0 }, console: console);

        var clock = Stopwatch.StartNew();
        trainer.Fit(module, train, validation);
        var measured = clock.Elapsed.TotalSeconds;

        var table = ProfilerTable.Parse(console.ToString());
        double Total(string action) => table.Rows[action].TotalSeconds;
        Assert.InRange(table.TotalSeconds, 0, measured);
        AtMost(Total("run_training_epoch"), table.TotalSeconds);
        AtMost(Total("run_training_batch") + Total("run_validation_epoch"), Total("run_training_epoch"));
        AtMost(Total("[FitLoop].train_dataloader_next") + Total("[Module]Regression.TrainingStep") + Total("[Module]Regression.Backward") + Total("[Module]Regression.OptimizerStep"), Total("run_training_batch"));
        AtMost(Total("[EvaluationLoop].val_next") + Total("[Module]Regression.ValidationStep"), Total("run_validation_epoch"));
        foreach (var row in table.Ordered)
        {
            Assert.True(row.TotalSeconds > 0, row.Action);
            Close(row.TotalSeconds / row.Count, row.MeanSeconds, Rounding, row.Action);
            Close(100 * row.TotalSeconds / table.TotalSeconds, row.Percentage, 2 * Rounding, row.Action);
        }

        // Lightning's order: the largest share first.
        Assert.Equal(table.Ordered.OrderByDescending(row => row.TotalSeconds).Select(row => row.Action), table.Ordered.Select(row => row.Action));
    }

    [Fact]
    public void TheReportIsWrittenToTheRunDirectoryAsPrinted()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        var trainer = new Trainer(Root.Options(1) with { Profiler = "simple" }, console: console);

        trainer.Fit(module, train);

        var path = Path.Combine(trainer.LogDir!, "fit-profiler.txt");
        Assert.True(File.Exists(path), path);
        var written = File.ReadAllText(path);
        Assert.Contains(written, console.ToString(), StringComparison.Ordinal);
        Assert.Equal(5, ProfilerTable.Parse(written).Count("[Module]Regression.TrainingStep"));
        Assert.Empty(Directory.EnumerateFiles(trainer.LogDir!, "*.tmp*"));
    }

    [Fact]
    public void ValidateTestAndPredictEachGetTheirOwnReport()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var data = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        var trainer = new Trainer(Root.Options(1) with { Profiler = "simple" }, console: console);

        trainer.Validate(module, data);
        trainer.Test(module, data);
        var outputs = trainer.Predict(module, data);
        foreach (var output in outputs)
        {
            output.Dispose();
        }

        var validate = ProfilerTable.Parse(File.ReadAllText(Path.Combine(trainer.LogDir!, "validate-profiler.txt")));
        Assert.Equal("VALIDATE Profiler Report", validate.Title);
        Assert.Equal(1, validate.Count("run_validation_epoch"));
        Assert.Equal(5, validate.Count("[Module]Regression.ValidationStep"));
        var test = ProfilerTable.Parse(File.ReadAllText(Path.Combine(trainer.LogDir!, "test-profiler.txt")));
        Assert.Equal("TEST Profiler Report", test.Title);
        Assert.Equal(1, test.Count("run_test_epoch"));
        Assert.Equal(5, test.Count("[EvaluationLoop].test_next"));
        Assert.Equal(5, test.Count("[Module]Regression.TestStep"));
        Assert.Equal(5, test.Count("[Module]Regression.MoveBatchToDevice"));
        Assert.False(test.Rows.ContainsKey("[Module]Regression.ValidationStep"));
        var predict = ProfilerTable.Parse(File.ReadAllText(Path.Combine(trainer.LogDir!, "predict-profiler.txt")));
        Assert.Equal(5, predict.Count("[PredictLoop].predict_next"));
        Assert.Equal(5, predict.Count("[Module]Regression.PredictStep"));
    }

    [Fact]
    public void AFailedFitStillReportsWhatRanUntilTheError()
    {
        var console = new StringWriter();
        using var module = new FailingStep { FailAtBatch = 2 };
        using var x = ones(8, 1);
        using var train = TestData.Loader(x, x, batchSize: 2, shuffle: false);
        var trainer = new Trainer(Root.Options(1) with { Profiler = "simple", EnableCheckpointing = false }, console: console);

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(module, train));

        Assert.Contains("fails on purpose", error.Message);
        var table = ProfilerTable.Parse(console.ToString());
        Assert.Equal("FIT Profiler Report (failed)", table.Title);
        Assert.Equal(3, table.Count("[Module]FailingStep.TrainingStep")); // batches 0 and 1, and the one that threw
        Assert.Equal(2, table.Count("run_training_batch"));
        Assert.False(table.Rows.ContainsKey("run_training_epoch"));
        var written = ProfilerTable.Parse(File.ReadAllText(Path.Combine(trainer.LogDir!, "fit-profiler.txt")));
        Assert.Equal("FIT Profiler Report (failed)", written.Title);
    }

    [Fact]
    public void AnInterruptedFitReportsAsInterrupted()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        var trainer = new Trainer(Root.Options(1) with { Profiler = "simple", EnableCheckpointing = false }, callbacks: [new InterruptAfterBatch(1)], console: console);

        Assert.Throws<TrainingInterruptedException>(() => trainer.Fit(module, train));

        var table = ProfilerTable.Parse(console.ToString());
        Assert.Equal("FIT Profiler Report (interrupted)", table.Title);
        Assert.Equal(2, table.Count("[Module]Regression.TrainingStep"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("none")]
    public void OffThereIsNoReport(string? profiler)
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        var trainer = new Trainer(Root.Options(1) with { Profiler = profiler, EnableProgressBar = true }, console: console);

        trainer.Fit(module, train);

        Assert.Contains("Epoch 0", console.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Profiler Report", console.ToString(), StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(trainer.LogDir!, "*profiler*"));
    }

    [Fact]
    public void OnlyGlobalRankZeroProfiles()
    {
        var directory = Path.Combine(Root.Path, "shared-run");
        Directory.CreateDirectory(directory);
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        using var rankOne = new RankView(1, directory);
        var options = Root.Options(1) with { Profiler = "simple", EnableCheckpointing = false, NumSanityValSteps = 0 };

        new Trainer(options, strategy: rankOne, console: TextWriter.Null).Fit(module, train);
        Assert.Empty(Directory.EnumerateFiles(directory, "*profiler*"));

        // The same fit as rank 0 of the same world writes the report: the file's absence above is the rank's doing.
        using var rankZero = new RankView(0, directory);
        var trainer = new Trainer(options, strategy: rankZero, console: TextWriter.Null);
        trainer.Fit(module, train);
        Assert.True(File.Exists(Path.Combine(trainer.LogDir!, "fit-profiler.txt")));
    }

    [Theory]
    [InlineData("advanced")]
    [InlineData("Simple")]
    [InlineData("")]
    public void AnUnknownProfilerIsRefusedNamingTheOptionAndTheAllowedValues(string profiler)
    {
        var error = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { Profiler = profiler }));

        Assert.Contains($"Profiler is \"{profiler}\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"simple\"", error.Message, StringComparison.Ordinal);
        Assert.Contains("\"none\" or null", error.Message, StringComparison.Ordinal);
    }

    private static void Close(double expected, double actual, double relative, string what)
        => Assert.True(Math.Abs(expected - actual) <= relative * Math.Max(Math.Abs(expected), Math.Abs(actual)), $"{what}: expected {expected:R}, got {actual:R}");

    private static void AtMost(double part, double whole) => Assert.True(part <= whole * (1 + Rounding), $"{part} s is more than {whole} s");

    /// <summary>Counts the hooks the profiler's counts are compared with.</summary>
    private sealed class HookCounter : Callback
    {
        public int TrainBatchEnds { get; private set; }

        public int OptimizerSteps { get; private set; }

        public override void OnTrainBatchEnd(CallbackContext context, int batchIndex) => TrainBatchEnds++;

        public override void OnBeforeOptimizerStep(CallbackContext context, optim.Optimizer optimizer) => OptimizerSteps++;
    }

    /// <summary>Ends the fit as SIGINT would, after the given batch.</summary>
    private sealed class InterruptAfterBatch(int batchIndex) : Callback
    {
        public override void OnTrainBatchEnd(CallbackContext context, int index)
        {
            if (index == batchIndex)
            {
                throw new TrainingInterruptedException(System.Runtime.InteropServices.PosixSignal.SIGINT, checkpointPath: null, "Interrupted by SIGINT (test).");
            }
        }
    }

    /// <summary>One rank of a two-process world, in this process; every rank gets <paramref name="runDirectory"/> as the run directory.</summary>
    private sealed class RankView(int rank, string runDirectory) : Volt.Strategies.Strategy
    {
        public override Device Device => CPU;

        public override int WorldSize => 2;

        public override int GlobalRank => rank;

        public override string? BroadcastText(string? text, int sourceRank = 0) => text ?? runDirectory;
    }
}
