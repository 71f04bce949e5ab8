using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using TorchSharp;
using Volt.Data;
using Volt.Logging;
using static TorchSharp.torch;

namespace Volt.Benchmarks;

/// <summary>
/// The hand-written loop (<see cref="HandWrittenLoop"/>) plus what a careful engineer adds to watch a run:
/// every <c>logEveryNSteps</c> steps the step's <c>loss.item()</c> goes to the same loggers the trainer uses
/// (written and flushed), and a progress line with the latest loss is printed at most once per refresh
/// interval and at each epoch's end. It reads the loss only on those steps. The honest baseline for
/// "what does the framework's logging cost over doing it by hand".
/// </summary>
public static class HandWrittenObservedLoop
{
    /// <summary>Trains <paramref name="epochs"/> epochs (or <paramref name="maxSteps"/> steps) and returns the steps taken.</summary>
    public static long Train<TBatch>(
        nn.Module module,
        Func<TBatch, Tensor> trainingStep,
        optim.Optimizer optimizer,
        IDataLoader<TBatch> data,
        long shuffleSeed,
        int epochs,
        long maxSteps,
        IReadOnlyList<IMetricLogger> loggers,
        int logEveryNSteps,
        TextWriter progress,
        TimeSpan refreshInterval)
    {
        long steps = 0;
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var clock = Stopwatch.StartNew();
        var lastLine = clock.Elapsed;
        module.train();
        for (var epoch = 0; epoch < epochs && steps < maxSteps; epoch++)
        {
            using var batches = data.OpenEpoch(epoch, shuffleSeed);
            var epochStart = clock.Elapsed;
            var latestLoss = double.NaN;
            var done = 0;
            for (var i = 0; i < batches.Count && steps < maxSteps; i++)
            {
                using var scope = NewDisposeScope();
                var batch = batches.GetBatch(i);
                optimizer.zero_grad();
                var loss = trainingStep(batch);
                loss.backward();
                optimizer.step();
                var now = clock.Elapsed;
                var logs = (steps + 1) % logEveryNSteps == 0;
                var refreshes = now - lastLine >= refreshInterval;
                var lastOfEpoch = i + 1 == batches.Count || steps + 1 == maxSteps;
                if (logs || refreshes || lastOfEpoch)
                {
                    latestLoss = loss.item<float>();
                }

                if (logs)
                {
                    values.Clear();
                    values["train_loss"] = latestLoss;
                    values["epoch"] = epoch;
                    foreach (var logger in loggers)
                    {
                        logger.LogMetrics(values, steps);
                        logger.Flush();
                    }
                }

                if (refreshes && !lastOfEpoch)
                {
                    lastLine = now;
                    WriteLine(progress, epoch, i + 1, batches.Count, now - epochStart, latestLoss);
                }

                steps++;
                done = i + 1;
            }

            WriteLine(progress, epoch, done, batches.Count, clock.Elapsed - epochStart, latestLoss);
        }

        return steps;
    }

    private static void WriteLine(TextWriter progress, int epoch, int done, int total, TimeSpan elapsed, double loss)
    {
        var speed = elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : 0;
        progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch} {done}/{total} [{elapsed:m\\:ss} < {TimeSpan.FromSeconds(speed > 0 ? (total - done) / speed : 0):m\\:ss}, {speed:F2} it/s] train_loss: {loss:F3}"));
        progress.Flush();
    }
}
