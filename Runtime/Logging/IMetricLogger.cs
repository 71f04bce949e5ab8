using System.Collections.Generic;

namespace Volt.Logging;

/// <summary>
/// A destination for logged metrics (Lightning's <c>Logger</c>): a CSV file, TensorBoard, MLflow, ...
/// The trainer calls a logger on global rank 0 only: <see cref="Open"/> once when the run directory
/// exists, <see cref="LogHyperparameters"/> when fitting starts, <see cref="LogMetrics"/> as metrics
/// arrive, <see cref="Flush"/> after every <see cref="LogMetrics"/> and at each phase end, and
/// <see cref="Finish"/> once when each trainer call (<c>Fit</c>, <c>Validate</c>, <c>Test</c>,
/// <c>Predict</c>) ends, on failure too. A trainer used for several calls finishes its loggers several
/// times, so a logger must accept <see cref="LogMetrics"/> after <see cref="Finish"/> (reopening what it closed).
/// </summary>
public interface IMetricLogger
{
    /// <summary>Prepares the logger's files; called once, before any other member, with the trainer's run directory (<c>runs/&lt;name&gt;/version_N</c>). Only when a failed resume discarded that directory (after <see cref="Finish"/> with <see cref="RunStatus.Failed"/>) is it called again, with the next one.</summary>
    /// <param name="runDirectory">The run directory; it exists.</param>
    void Open(string runDirectory);

    /// <summary>Records the module's hyperparameters (Lightning's <c>log_hyperparams</c>).</summary>
    /// <param name="hyperparameters">Names and values: strings, booleans, integers (<see cref="long"/>), numbers (<see cref="double"/>) or null.</param>
    void LogHyperparameters(IReadOnlyDictionary<string, object?> hyperparameters);

    /// <summary>Records metric values at a step.</summary>
    /// <param name="metrics">Metric names and values.</param>
    /// <param name="step">The step (Lightning's logging step: optimizer steps taken).</param>
    void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step);

    /// <summary>Writes buffered values to disk.</summary>
    void Flush();

    /// <summary>Flushes and closes the logger's files (Lightning's <c>finalize(status)</c>); called once when the trainer call ends, whatever the outcome.</summary>
    /// <param name="status">How the call ended.</param>
    void Finish(RunStatus status);
}
