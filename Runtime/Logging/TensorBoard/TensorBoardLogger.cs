using System;
using System.Collections.Generic;
using Volt.Logging.TensorBoard;
using Volt.Logging.TensorBoard.Protos;

namespace Volt.Logging;

/// <summary>
/// Writes TensorBoard event files into the run directory (Lightning's <c>TensorBoardLogger</c>), so
/// <c>tensorboard --logdir runs</c> shows every <c>runs/&lt;name&gt;/version_N</c> as a run: one scalar event per
/// metric at its logging step, and the hparams plugin's summaries so the HPARAMS tab lists each run's
/// hyperparameters, final metrics and outcome. Events are flushed at every <see cref="Flush"/> and the
/// file is closed by <see cref="Finish"/>; a later trainer call that logs again starts a new event file
/// in the same directory (TensorBoard reads them as one run).
/// </summary>
/// <remarks>
/// Hyperparameters: the session start (values) is written by <see cref="LogHyperparameters"/>; the
/// experiment (hyperparameter names and types, one metric column per scalar tag logged) and the session
/// end (status, time) by the <see cref="Finish"/> that follows. Booleans are written as booleans
/// (torch writes them as 0/1 numbers); null values are left out.
/// </remarks>
public sealed class TensorBoardLogger : IMetricLogger, IDisposable
{
    private readonly TimeProvider clock;
    private readonly List<string> metricTags = [];
    private readonly HashSet<string> knownTags = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, object?>? sessionHyperparameters;
    private string? directory;
    private EventFileWriter? writer;

    /// <summary>The names of TensorBoard event files, as a search pattern.</summary>
    public const string FilePattern = "events.out.tfevents.*";

    /// <summary>Creates a logger that writes into the run directory the trainer opens it with.</summary>
    public TensorBoardLogger()
        : this(TimeProvider.System)
    {
    }

    /// <summary>Creates a logger that stamps events with <paramref name="clock"/>'s time.</summary>
    /// <param name="clock">The wall clock.</param>
    public TensorBoardLogger(TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        this.clock = clock;
    }

    /// <summary>The event file being written, or the last one written; null before <see cref="Open"/>.</summary>
    public string? FilePath { get; private set; }

    /// <inheritdoc />
    public void Open(string runDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(runDirectory);
        if (directory is not null)
        {
            throw new InvalidOperationException($"The TensorBoard logger is already open on '{directory}'.");
        }

        directory = runDirectory;
        EnsureWriter();
    }

    /// <inheritdoc />
    public void LogHyperparameters(IReadOnlyDictionary<string, object?> hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        var copy = new Dictionary<string, object?>(hyperparameters, StringComparer.Ordinal);
        var summary = HParamsSummaries.SessionStart(copy, Now());
        EnsureWriter().Write(new Event { WallTime = Now(), Summary = summary });
        sessionHyperparameters = copy;
        writer!.Flush();
    }

    /// <inheritdoc />
    public void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var events = EnsureWriter();
        var wallTime = Now();
        foreach (var (name, value) in metrics)
        {
            if (knownTags.Add(name))
            {
                metricTags.Add(name);
            }

            events.Write(new Event
            {
                WallTime = wallTime,
                Step = step,
                Summary = new Summary { Value = { new Summary.Types.Value { Tag = name, SimpleValue = (float)value } } },
            });
        }
    }

    /// <inheritdoc />
    public void Flush() => writer?.Flush();

    /// <summary>Writes the hparams experiment and session end (after a <see cref="LogHyperparameters"/>), then flushes and closes the event file.</summary>
    /// <param name="status">How the trainer call ended.</param>
    public void Finish(RunStatus status)
    {
        if (directory is null)
        {
            return;
        }

        if (sessionHyperparameters is { } hyperparameters)
        {
            var events = EnsureWriter();
            var now = Now();
            events.Write(new Event { WallTime = now, Summary = HParamsSummaries.Experiment(hyperparameters, metricTags, now) });
            events.Write(new Event { WallTime = now, Summary = HParamsSummaries.SessionEnd(status, now) });
            sessionHyperparameters = null;
        }

        Close();
    }

    /// <summary>Closes the event file if <see cref="Finish"/> did not.</summary>
    public void Dispose() => Close();

    private void Close()
    {
        writer?.Dispose();
        writer = null;
    }

    private EventFileWriter EnsureWriter()
    {
        if (writer is null)
        {
            if (directory is null)
            {
                throw new InvalidOperationException("The TensorBoard logger was used before Open(runDirectory).");
            }

            writer = EventFileWriter.Create(directory, clock.GetUtcNow());
            FilePath = writer.FilePath;
        }

        return writer;
    }

    private double Now() => EventFileWriter.WallTime(clock.GetUtcNow());
}
