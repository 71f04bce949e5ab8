namespace Volt.Logging;

/// <summary>How a trainer call ended, as loggers are told in <see cref="IMetricLogger.Finish"/> (Lightning's <c>finalize(status)</c>).</summary>
public enum RunStatus
{
    /// <summary>The call ran to its end (Lightning's "success").</summary>
    Success,

    /// <summary>A step, a callback or the data threw (Lightning's "failed").</summary>
    Failed,

    /// <summary>SIGINT or SIGTERM stopped fitting (Lightning's "interrupted"; MLflow's KILLED).</summary>
    Interrupted,
}
