using System;
using System.Collections.Generic;
using System.IO;

namespace Volt.Logging;

/// <summary>
/// The loggers of one trainer and their lifecycle: opened when the run directory is created, told the
/// hyperparameters when fitting starts, flushed at phase ends, finished at the end of every trainer call.
/// The trainer builds it on global rank 0 only (other ranks get one without loggers), so every member
/// here is a rank-0 side effect.
/// </summary>
internal sealed class TrainerLoggers
{
    private readonly IReadOnlyList<IMetricLogger> all;
    private bool open;

    /// <param name="loggers">The loggers, validated (no null entries).</param>
    public TrainerLoggers(IReadOnlyList<IMetricLogger> loggers)
    {
        all = loggers;
    }

    /// <summary>The loggers that receive metrics now: all of them once <see cref="Open"/> ran, none before.</summary>
    public IReadOnlyList<IMetricLogger> Active => open ? all : [];

    /// <summary>Calls every logger's <see cref="IMetricLogger.Open"/> with the new run directory.</summary>
    public void Open(string runDirectory)
    {
        foreach (var logger in all)
        {
            logger.Open(runDirectory);
        }

        open = true;
    }

    /// <summary>Sends the module's hyperparameters to every open logger.</summary>
    public void LogHyperparameters(IHyperparameters hyperparameters)
    {
        var loggers = Active;
        if (loggers.Count == 0)
        {
            return;
        }

        var values = HyperparameterValues.From(hyperparameters);
        foreach (var logger in loggers)
        {
            logger.LogHyperparameters(values);
        }
    }

    /// <summary>Flushes every open logger.</summary>
    public void Flush()
    {
        foreach (var logger in Active)
        {
            logger.Flush();
        }
    }

    /// <summary>
    /// Finishes every open logger after a trainer call that ended normally. Every logger is finished even
    /// when one throws; the first failure is rethrown afterwards (all of them, when several fail).
    /// </summary>
    public void FinishSucceeded()
    {
        var failures = new List<Exception>();
        foreach (var logger in Active)
        {
            try
            {
                logger.Finish(RunStatus.Success);
            }
            catch (Exception error)
            {
                failures.Add(error);
            }
        }

        if (failures.Count == 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failures[0]);
        }

        if (failures.Count > 1)
        {
            throw new AggregateException("Several loggers failed to finish.", failures);
        }
    }

    /// <summary>
    /// Finishes every open logger after a trainer call that threw. A logger that throws here must not hide
    /// the exception that ended the call: its failure is written to <paramref name="messages"/> instead.
    /// </summary>
    /// <param name="status"><see cref="RunStatus.Failed"/> or <see cref="RunStatus.Interrupted"/>.</param>
    /// <param name="messages">Where a logger's own failure is reported.</param>
    public void FinishFailed(RunStatus status, TextWriter messages)
    {
        foreach (var logger in Active)
        {
            try
            {
                logger.Finish(status);
            }
            catch (Exception error)
            {
                messages.WriteLine($"The logger {logger.GetType().Name} failed to finish with status {status} ({error.GetType().Name}: {error.Message}); the error that ended the trainer call is rethrown.");
            }
        }

        messages.Flush();
    }

    /// <summary>Finishes the loggers as failed and forgets the run directory they were opened with (a failed resume discards it).</summary>
    public void Close(TextWriter messages)
    {
        FinishFailed(RunStatus.Failed, messages);
        open = false;
    }
}
