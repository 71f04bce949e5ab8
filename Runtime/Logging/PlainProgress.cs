using System;
using System.Collections.Generic;
using System.IO;

namespace Volt.Logging;

/// <summary>
/// Progress as plain lines, for redirected output and CI (no control codes): one line per finished
/// training epoch, one per finished standalone evaluation, and a line for a phase in progress at most once
/// per refresh interval. A line reads
/// <c>Epoch 0/4 120/469 [0:00:05 &lt; 0:00:14, 23.45 it/s] loss: 0.512 val_acc: 0.830</c>.
/// Metric values are read only for a line that is printed, so quiet batches cost no host synchronisation.
/// </summary>
internal sealed class PlainProgress(TextWriter output, TimeProvider clock, TimeSpan refreshInterval) : IProgressReporter
{
    private readonly Dictionary<string, double> shown = new(StringComparer.Ordinal);
    private long epochStart;
    private long evaluationStart;
    private long lastLine;
    private string epochLabel = "";
    private bool inTrainEpoch;
    private int trainBatches;
    private int trainBatchesDone;
    private int evaluationBatches;
    private int evaluationBatchesDone;

    public void OnMessage(string message)
    {
        output.WriteLine(message);
        output.Flush();
    }

    public void OnTrainEpochStart(int epoch, int? maxEpochs, int batches)
    {
        epochStart = lastLine = clock.GetTimestamp();
        epochLabel = ProgressText.Epoch(epoch, maxEpochs);
        inTrainEpoch = true;
        trainBatches = batches;
        trainBatchesDone = 0;
    }

    public void OnTrainBatchEnd(int batchIndex, int batches, MetricCollector metrics, Loops.TrainingLoss loss)
    {
        trainBatchesDone = batchIndex + 1;
        var now = clock.GetTimestamp();
        if (clock.GetElapsedTime(lastLine, now) < refreshInterval || batchIndex + 1 >= batches)
        {
            return;
        }

        lastLine = now;
        shown.Clear();
        AddLoss(shown, loss);
        metrics.CollectStepValues(shown, progressBarOnly: true, currentStepOnly: false);
        WriteLine(epochLabel, batchIndex + 1, batches, epochStart, now, shown);
    }

    public void OnTrainEpochEnd(int epoch, int? maxEpochs, IReadOnlyDictionary<string, double> progressBarMetrics, Loops.TrainingLoss loss)
    {
        inTrainEpoch = false;
        shown.Clear();
        AddLoss(shown, loss);
        foreach (var (name, value) in progressBarMetrics)
        {
            shown[name] = value;
        }

        var now = clock.GetTimestamp();
        WriteLine(ProgressText.Epoch(epoch, maxEpochs), trainBatchesDone, trainBatches, epochStart, now, shown);
    }

    public void OnEvaluationStart(RunPhase phase, int batches)
    {
        evaluationStart = clock.GetTimestamp();
        evaluationBatches = batches;
        evaluationBatchesDone = 0;
        if (!inTrainEpoch)
        {
            lastLine = evaluationStart;
        }
    }

    public void OnEvaluationBatchEnd(RunPhase phase, int batchIndex, int batches)
    {
        evaluationBatchesDone = batchIndex + 1;
        var now = clock.GetTimestamp();
        if (clock.GetElapsedTime(lastLine, now) < refreshInterval || batchIndex + 1 >= batches)
        {
            return;
        }

        lastLine = now;
        shown.Clear();
        WriteLine(ProgressText.Phase(phase), batchIndex + 1, batches, evaluationStart, now, shown);
    }

    public void OnEvaluationEnd(RunPhase phase)
    {
        // Inside a fit the epoch line follows with the validation metrics; a standalone evaluation gets its own line.
        if (!inTrainEpoch)
        {
            shown.Clear();
            WriteLine(ProgressText.Phase(phase), evaluationBatchesDone, evaluationBatches, evaluationStart, clock.GetTimestamp(), shown);
        }

        evaluationBatchesDone = 0;
    }

    public void Dispose()
    {
    }

    /// <summary>The step's training loss comes first, as "loss" (Lightning shows it without being asked).</summary>
    internal static void AddLoss(Dictionary<string, double> values, Loops.TrainingLoss loss)
    {
        if (loss.Latest is { } value)
        {
            values["loss"] = value;
        }
    }

    private void WriteLine(string label, int done, int total, long start, long now, IReadOnlyDictionary<string, double> metrics)
    {
        var elapsed = clock.GetElapsedTime(start, now);
        double? speed = elapsed > TimeSpan.Zero ? done / elapsed.TotalSeconds : null;
        TimeSpan? remaining = speed is { } perSecond && perSecond > 0 ? TimeSpan.FromSeconds((total - done) / perSecond) : done >= total ? TimeSpan.Zero : null;
        var line = $"{label} {done}/{total} [{ProgressText.Duration(elapsed)} < {ProgressText.Duration(remaining)}, {ProgressText.Speed(speed)}]";
        var metricText = ProgressText.Metrics(metrics);
        output.WriteLine(metricText.Length > 0 ? line + " " + metricText : line);
        output.Flush();
    }
}
