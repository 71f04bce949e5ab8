using System.Collections.Generic;

namespace Volt.Logging;

/// <summary>A destination for logged metrics (Lightning's <c>Logger</c>): a CSV file, TensorBoard, ...</summary>
public interface IMetricLogger
{
    /// <summary>Records metric values at a step.</summary>
    /// <param name="metrics">Metric names and values.</param>
    /// <param name="step">The step (Lightning's logging step: optimizer steps taken).</param>
    void LogMetrics(IReadOnlyDictionary<string, double> metrics, long step);

    /// <summary>Writes buffered values to disk.</summary>
    void Flush();
}
