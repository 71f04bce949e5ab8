using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using Spectre.Console;

namespace Volt.Logging;

/// <summary>
/// Live progress bars on a terminal with Spectre.Console, laid out like Lightning's RichProgressBar:
/// description, bar, <c>i/N</c>, elapsed • remaining, it/s and the progress-bar metrics. Each training
/// epoch gets its own display, left on screen when the epoch ends; a validation inside the epoch shows
/// as a second bar under the training bar and disappears when it ends. Bars and metrics are updated at
/// most once per refresh interval, so quiet batches cost neither rendering nor host synchronisation.
/// </summary>
internal sealed class LiveProgress(IAnsiConsole console, TimeSpan refreshInterval) : IProgressReporter
{
    private readonly Dictionary<string, double> shown = new(StringComparer.Ordinal);
    private LiveSession? session;
    private ProgressTask? train;
    private ProgressTask? evaluation;
    private bool standaloneEvaluation;
    private ProgressTask? finishedEvaluation;
    private long lastUpdate;

    public void OnMessage(string message) => console.WriteLine(message);

    public void OnTrainEpochStart(int epoch, int? maxEpochs, int batches)
    {
        // A validation that ran before the epoch (the sanity check) leaves the screen, as in Lightning.
        if (session is not null && finishedEvaluation is not null)
        {
            session.Context.RemoveTask(finishedEvaluation);
            finishedEvaluation = null;
        }
        else
        {
            Stop();
            session = LiveSession.Start(console, refreshInterval);
        }

        train = session.Context.AddTask(Markup.Escape(ProgressText.Epoch(epoch, maxEpochs)), maxValue: Math.Max(batches, 1));
        lastUpdate = Stopwatch.GetTimestamp();
    }

    public void OnTrainBatchEnd(int batchIndex, int batches, MetricCollector metrics, Loops.TrainingLoss loss)
    {
        if (train is null || !Due(batchIndex, batches))
        {
            return;
        }

        train.Value = batchIndex + 1;
        shown.Clear();
        PlainProgress.AddLoss(shown, loss);
        metrics.CollectStepValues(shown, progressBarOnly: true, currentStepOnly: false);
        train.Tag = ProgressText.Metrics(shown);
    }

    public void OnTrainEpochEnd(int epoch, int? maxEpochs, IReadOnlyDictionary<string, double> progressBarMetrics, Loops.TrainingLoss loss)
    {
        if (train is not null)
        {
            shown.Clear();
            PlainProgress.AddLoss(shown, loss);
            foreach (var (name, value) in progressBarMetrics)
            {
                shown[name] = value;
            }

            train.Tag = ProgressText.Metrics(shown);
            train.StopTask();
        }

        Stop();
    }

    public void OnEvaluationStart(RunPhase phase, int batches)
    {
        standaloneEvaluation = session is null;
        session ??= LiveSession.Start(console, refreshInterval);
        evaluation = session.Context.AddTask(ProgressText.Phase(phase), maxValue: Math.Max(batches, 1));
        lastUpdate = Stopwatch.GetTimestamp();
    }

    public void OnEvaluationBatchEnd(RunPhase phase, int batchIndex, int batches)
    {
        if (evaluation is not null && Due(batchIndex, batches))
        {
            evaluation.Value = batchIndex + 1;
        }
    }

    public void OnEvaluationEnd(RunPhase phase)
    {
        if (standaloneEvaluation)
        {
            // Kept on screen until the call ends (Validate, Test), or removed when a training epoch follows (the sanity check).
            evaluation?.StopTask();
            finishedEvaluation = evaluation;
        }
        else if (evaluation is not null)
        {
            session?.Context.RemoveTask(evaluation);
        }

        evaluation = null;
        standaloneEvaluation = false;
    }

    /// <summary>Stops a display still running (a failed call), leaving its last render.</summary>
    public void Dispose() => Stop();

    private bool Due(int batchIndex, int batches)
    {
        var now = Stopwatch.GetTimestamp();
        if (batchIndex + 1 < batches && Stopwatch.GetElapsedTime(lastUpdate, now) < refreshInterval)
        {
            return false;
        }

        lastUpdate = now;
        return true;
    }

    private void Stop()
    {
        session?.Stop();
        session = null;
        train = null;
        evaluation = null;
        finishedEvaluation = null;
    }

    /// <summary>One running Spectre.Console progress display, driven from the training thread.</summary>
    private sealed class LiveSession
    {
        private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task running = Task.CompletedTask;

        private LiveSession()
        {
        }

        public ProgressContext Context { get; private set; } = null!;

        public static LiveSession Start(IAnsiConsole console, TimeSpan refreshInterval)
        {
            var session = new LiveSession();
            var ready = new TaskCompletionSource<ProgressContext>(TaskCreationOptions.RunContinuationsAsynchronously);
            var progress = new Progress(console) { AutoClear = false, HideCompleted = false, RefreshRate = refreshInterval }
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new BatchCountColumn(), new TimesColumn(), new SpeedColumn(), new MetricsColumn());
            session.running = progress.StartAsync(async context =>
            {
                ready.SetResult(context);
                await session.stopped.Task.ConfigureAwait(false);
            });

            // The display fails before it starts only if the console does; surface that error.
            Task.WaitAny(ready.Task, session.running);
            if (session.running.IsFaulted)
            {
                session.running.GetAwaiter().GetResult();
            }

            session.Context = ready.Task.GetAwaiter().GetResult();
            return session;
        }

        public void Stop()
        {
            stopped.TrySetResult();
            running.GetAwaiter().GetResult();
        }
    }
}
