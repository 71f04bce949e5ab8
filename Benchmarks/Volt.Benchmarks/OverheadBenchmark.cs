using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Volt.Data;
using Volt.Logging;

namespace Volt.Benchmarks;

/// <summary>
/// Section 2: the generated loop's cost per step over hand-written loops on a model so small (Linear(10, 1),
/// batch 8, SGD) that the loop's own work dominates. All variants run interleaved in one process, in a
/// rotating order: the plain loops, the two hand-written baselines (strict: no logging; observed: the loss
/// read and written to TensorBoard + CSV every 50 steps and a progress line at 10 per second), the generated
/// loop with what a user sees by default, and the pieces of that (the <c>Log</c> call, the progress
/// display, the loggers) switched on one at a time. Each run is timed by the thread's CPU clock (the work
/// itself, robust on a shared machine) and by the wall clock (what a user waits for).
/// </summary>
internal sealed class OverheadBenchmark(int steps, int repeats)
{
    /// <summary>Lightning's default <c>log_every_n_steps</c>.</summary>
    private const int LogEveryNSteps = 50;

    /// <summary>Progress refreshes per second: the live display's default, so the refresh path runs as on a terminal.</summary>
    private const double RefreshRate = 10;

    /// <summary>How many more <c>Log</c> calls per step the variant that measures one call makes.</summary>
    private const int ExtraLogs = 10;

    public void Run()
    {
        Console.WriteLine($"== 2. Framework overhead: Linear(10, 1), batch 8, SGD, {steps} steps per run");
        using var data = Workloads.TinyData(8_000);
        (string Name, Func<(double Wall, double Cpu)> Run)[] variants =
        [
            ("hand-written, no logging (strict baseline)", () => Hand(data, observed: false)),
            ("hand-written + loss.item() to TensorBoard + CSV every 50 steps + progress (observed baseline)", () => Hand(data, observed: true)),
            ("generated, no logging", () => Generated(data, logs: false, loggers: false, progress: false)),
            ("generated + Log(loss) per step", () => Generated(data, logs: true, loggers: false, progress: false)),
            ("generated + Log + progress", () => Generated(data, logs: true, loggers: false, progress: true)),
            ("generated + Log + TensorBoard + CSV every 50 steps", () => Generated(data, logs: true, loggers: true, progress: false)),
            ("generated + loggers + progress, no Log call", () => Generated(data, logs: false, loggers: true, progress: true)),
            ("generated + Log + loggers + progress (issue 15's condition)", () => Generated(data, logs: true, loggers: true, progress: true)),
            ($"the same with {ExtraLogs} more Log calls per step", () => Generated(data, logs: true, loggers: true, progress: true, extraLogs: ExtraLogs)),
        ];

        var samples = Rotation.Run(repeats, [.. variants.Select(v => v.Run)]);
        foreach (var (clock, pick) in new (string, Func<(Sample Wall, Sample Cpu), Sample>)[] { ("thread CPU time", s => s.Cpu), ("wall time", s => s.Wall) })
        {
            Console.WriteLine($"-- {clock} per step");
            var times = samples.Select(pick).ToArray();
            for (var i = 0; i < variants.Length; i++)
            {
                Console.WriteLine($"{variants[i].Name}: {times[i].Format("µs/step", "F2")}");
            }

            var (strict, observedHand, plain, logOnly, logProgress, logLoggers, noLog, full, manyLogs) =
                (times[0], times[1], times[2], times[3], times[4], times[5], times[6], times[7], times[8]);
            Difference("generated − strict hand (no logging either side)", plain, strict);
            Difference("issue 15: full − strict hand", full, strict);
            Difference("issue 15: full − observed hand", full, observedHand);
            Difference("observed hand − strict hand (logging by hand)", observedHand, strict);
            Difference("Log(loss) per step (Log only − no logging)", logOnly, plain);
            Difference("progress display (Log + progress − Log only)", logProgress, logOnly);
            Difference("TensorBoard + CSV every 50 steps (Log + loggers − Log only)", logLoggers, logOnly);
            Difference("Log with loggers and progress on (full − no Log call)", full, noLog);
            var perLog = new Sample([.. manyLogs.Values.Zip(full.Values, (m, f) => (m - f) / ExtraLogs)]);
            Console.WriteLine($"one more Log call, in a step with loggers and progress on: {perLog.Format("µs", "F2")}");
        }

        FirstStep(data);
        Console.WriteLine();
    }

    private static void Difference(string label, Sample a, Sample b)
    {
        var pairs = new Sample([.. a.Values.Zip(b.Values, (x, y) => x - y)]);
        Console.WriteLine($"{label}: {a.Median - b.Median:F2} µs/step (difference of medians); per pair {pairs.Format("µs", "F2")}");
    }

    private (double Wall, double Cpu) PerStep((double Wall, double Cpu) seconds) => (seconds.Wall / steps * 1e6, seconds.Cpu / steps * 1e6);

    private (double Wall, double Cpu) Generated(TensorDataLoader<TinyBatch> data, bool logs, bool loggers, bool progress, int extraLogs = 0)
    {
        Seeding.SeedEverything(Workloads.Seed);
        using var model = new TinyModel { LogsLoss = logs, ExtraLogs = extraLogs };
        var root = Directory.CreateTempSubdirectory("volt-bench-overhead-");
        try
        {
            // Loggers off means none: EnableLogging = false also skips the run directory, as a user who turns logging off gets.
            var options = Workloads.TrainerOptions(epochs: 1000, maxSteps: steps) with
            {
                EnableLogging = loggers,
                EnableProgressBar = progress,
                ProgressRefreshRate = RefreshRate,
                LogEveryNSteps = LogEveryNSteps,
                PlotCurves = false,
                DefaultRootDir = root.FullName,
            };
            var trainer = new Trainer(options, console: TextWriter.Null);
            return PerStep(ThreadCpuClock.Seconds(() => trainer.Fit(model, data)));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private (double Wall, double Cpu) Hand(TensorDataLoader<TinyBatch> data, bool observed)
    {
        Seeding.SeedEverything(Workloads.Seed);
        using var model = new TinyModel();
        if (!observed)
        {
            return PerStep(ThreadCpuClock.Seconds(() =>
            {
                using var optimizer = model.ConfigureOptimizers();
                HandWrittenLoop.Train(model, model.TrainingStep, optimizer, data, Workloads.Seed, epochs: 1000, maxSteps: steps);
            }));
        }

        var root = Directory.CreateTempSubdirectory("volt-bench-overhead-hand-");
        try
        {
            return PerStep(ThreadCpuClock.Seconds(() =>
            {
                var run = Directory.CreateDirectory(Path.Combine(root.FullName, "version_0")).FullName;
                IMetricLogger[] loggers = [new TensorBoardLogger(), new CsvLogger()];
                foreach (var logger in loggers)
                {
                    logger.Open(run);
                }

                using var optimizer = model.ConfigureOptimizers();
                HandWrittenObservedLoop.Train(
                    model, model.TrainingStep, optimizer, data, Workloads.Seed, epochs: 1000, maxSteps: steps,
                    loggers, LogEveryNSteps, TextWriter.Null, TimeSpan.FromSeconds(1 / RefreshRate));
                foreach (var logger in loggers)
                {
                    logger.Finish(RunStatus.Success);
                }
            }));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    private void FirstStep(TensorDataLoader<TinyBatch> data)
    {
        var firstStep = new List<double>();
        for (var i = 0; i < repeats; i++)
        {
            Seeding.SeedEverything(Workloads.Seed);
            using var model = new TinyModel();
            var clock = new Stopwatch();
            double? seen = null;
            model.AfterStep = () => seen ??= clock.Elapsed.TotalMilliseconds;
            var trainer = new Trainer(Workloads.TrainerOptions(epochs: 1, maxSteps: 1), console: TextWriter.Null);
            clock.Start();
            trainer.Fit(model, data);
            firstStep.Add(seen!.Value);
        }

        Console.WriteLine($"Fit() to first training step: {new Sample(firstStep).Format("ms", "F3")}");
    }
}
