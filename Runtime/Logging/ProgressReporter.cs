using System;
using System.Collections.Generic;
using System.IO;

namespace Volt.Logging;

/// <summary>Receives progress events from the loops; disposed when the trainer call ends, on failure too.</summary>
internal interface IProgressReporter : IDisposable
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
    public void Dispose()
    {
    }

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

/// <summary>Picks the progress display for a trainer call.</summary>
internal static class ProgressReporters
{
    /// <summary>
    /// Nothing when the bar is off; live Spectre.Console bars when <paramref name="console"/> is the
    /// process's terminal (not redirected, <c>CI</c> unset, <c>TERM</c> not "dumb"); plain lines otherwise.
    /// </summary>
    public static IProgressReporter Create(TrainerOptions options, TextWriter console)
    {
        if (!options.EnableProgressBar)
        {
            return new SilentProgress();
        }

        var live = IsLive(console);
        var interval = ObservabilityOptions.RefreshInterval(options, live);
        return live ? new LiveProgress(Spectre.Console.AnsiConsole.Console, interval) : new PlainProgress(console, TimeProvider.System, interval);
    }

    /// <summary>True when <paramref name="console"/> is the process's interactive terminal, where live bars and tables are drawn.</summary>
    public static bool IsLive(TextWriter console)
        => ReferenceEquals(console, Console.Out)
            && !Console.IsOutputRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            && !string.Equals(Environment.GetEnvironmentVariable("TERM"), "dumb", StringComparison.Ordinal);
}

/// <summary>Prints a <see cref="ModelSummary"/> the way the progress display would: a table on a terminal, plain text otherwise.</summary>
internal static class ModelSummaryPrinter
{
    public static void Print(ModelSummary summary, TextWriter console)
    {
        if (ProgressReporters.IsLive(console))
        {
            summary.Write(Spectre.Console.AnsiConsole.Console);
        }
        else
        {
            summary.Write(console);
        }
    }
}
