using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace Volt.Logging;

/// <summary>Receives progress events from the loops.</summary>
internal interface IProgressReporter
{
    void OnTrainEpochStart(int epoch, int? maxEpochs, int batches);

    /// <summary>A training batch ended; <paramref name="loss"/> holds its loss (shown by default, as Lightning does).</summary>
    void OnTrainBatchEnd(int batchIndex, int batches, MetricCollector metrics, Loops.TrainingLoss loss);

    void OnTrainEpochEnd(int epoch, int? maxEpochs, IReadOnlyDictionary<string, double> progressBarMetrics, Loops.TrainingLoss loss);

    void OnEvaluationStart(RunPhase phase, int batches);

    void OnEvaluationBatchEnd(RunPhase phase, int batchIndex, int batches);

    void OnEvaluationEnd(RunPhase phase);

    /// <summary>Prints a one-line message, such as why training stopped early.</summary>
    void OnMessage(string message);
}

/// <summary>Prints nothing (<see cref="TrainerOptions.EnableProgressBar"/> = false).</summary>
internal sealed class SilentProgress : IProgressReporter
{
    public void OnMessage(string message)
    {
    }

    public void OnTrainEpochStart(int epoch, int? maxEpochs, int batches)
    {
    }

    public void OnTrainBatchEnd(int batchIndex, int batches, MetricCollector metrics, Loops.TrainingLoss loss)
    {
    }

    public void OnTrainEpochEnd(int epoch, int? maxEpochs, IReadOnlyDictionary<string, double> progressBarMetrics, Loops.TrainingLoss loss)
    {
    }

    public void OnEvaluationStart(RunPhase phase, int batches)
    {
    }

    public void OnEvaluationBatchEnd(RunPhase phase, int batchIndex, int batches)
    {
    }

    public void OnEvaluationEnd(RunPhase phase)
    {
    }
}

/// <summary>
/// Console progress: on a terminal a live line redrawn at most every 0.25 s; always one line per
/// finished epoch with the progress-bar metrics, so redirected output (CI) gets plain lines.
/// Reading a metric for the live line is the only host synchronisation it causes.
/// </summary>
internal sealed class ConsoleProgress(TextWriter output, bool live) : IProgressReporter
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);
    private readonly Stopwatch epochClock = new();
    private readonly Stopwatch refreshClock = new();
    private readonly Dictionary<string, double> liveValues = new(StringComparer.Ordinal);
    private int lastLiveLength;

    public void OnMessage(string message)
    {
        ClearLive();
        output.WriteLine(message);
    }

    public void OnTrainEpochStart(int epoch, int? maxEpochs, int batches)
    {
        epochClock.Restart();
        refreshClock.Restart();
    }

    public void OnTrainBatchEnd(int batchIndex, int batches, MetricCollector metrics, Loops.TrainingLoss loss)
    {
        if (!live || (refreshClock.Elapsed < RefreshInterval && batchIndex + 1 < batches))
        {
            return;
        }

        refreshClock.Restart();
        liveValues.Clear();
        AddLoss(liveValues, loss);
        metrics.CollectStepValues(liveValues, progressBarOnly: true, currentStepOnly: false);
        WriteLive($"  train {batchIndex + 1}/{batches} [{Format(epochClock.Elapsed)}]{FormatMetrics(liveValues)}");
    }

    public void OnTrainEpochEnd(int epoch, int? maxEpochs, IReadOnlyDictionary<string, double> progressBarMetrics, Loops.TrainingLoss loss)
    {
        ClearLive();
        var shown = new Dictionary<string, double>(StringComparer.Ordinal);
        AddLoss(shown, loss);
        foreach (var (name, value) in progressBarMetrics)
        {
            shown[name] = value;
        }

        // Lightning's 0-based numbering, as its RichProgressBar writes it: "Epoch 0/4" for max_epochs=5.
        var of = maxEpochs is { } max ? "/" + (max - 1).ToString(CultureInfo.InvariantCulture) : string.Empty;
        output.WriteLine($"Epoch {epoch.ToString(CultureInfo.InvariantCulture)}{of} [{Format(epochClock.Elapsed)}]{FormatMetrics(shown)}");
        output.Flush();
    }

    public void OnEvaluationStart(RunPhase phase, int batches) => refreshClock.Restart();

    public void OnEvaluationBatchEnd(RunPhase phase, int batchIndex, int batches)
    {
        if (!live || (refreshClock.Elapsed < RefreshInterval && batchIndex + 1 < batches))
        {
            return;
        }

        refreshClock.Restart();
        WriteLive($"  {PhaseName(phase)} {batchIndex + 1}/{batches}");
    }

    public void OnEvaluationEnd(RunPhase phase) => ClearLive();

    /// <summary>The step's training loss comes first, as "loss" (Lightning shows it without being asked).</summary>
    private static void AddLoss(Dictionary<string, double> values, Loops.TrainingLoss loss)
    {
        if (loss.Latest is { } value)
        {
            values["loss"] = value;
        }
    }

    private static string PhaseName(RunPhase phase) => phase switch
    {
        RunPhase.Validation => "validate",
        RunPhase.Test => "test",
        RunPhase.Predict => "predict",
        _ => "train",
    };

    private static string Format(TimeSpan elapsed) => elapsed.TotalMinutes switch
    {
        >= 60 => elapsed.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture),
        >= 1 => elapsed.ToString(@"m\:ss", CultureInfo.InvariantCulture),
        _ => elapsed.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + "s",
    };

    private static string FormatMetrics(IReadOnlyDictionary<string, double> metrics)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in metrics)
        {
            text.Append(' ').Append(name).Append('=').Append(value.ToString("0.0000", CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    private void WriteLive(string line)
    {
        var padding = Math.Max(0, lastLiveLength - line.Length);
        output.Write("\r" + line + new string(' ', padding));
        output.Flush();
        lastLiveLength = line.Length;
    }

    private void ClearLive()
    {
        if (lastLiveLength > 0)
        {
            output.Write("\r" + new string(' ', lastLiveLength) + "\r");
            lastLiveLength = 0;
        }
    }
}
