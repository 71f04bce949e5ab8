namespace Volt.Search;

/// <summary>A trial's state; the names are Optuna's <c>TrialState</c> values, as stored in the SQL schema.</summary>
public enum TrialState
{
    /// <summary>Being evaluated.</summary>
    Running = 0,

    /// <summary>Finished with a value.</summary>
    Complete = 1,

    /// <summary>Stopped early by the pruner.</summary>
    Pruned = 2,

    /// <summary>The objective threw, returned NaN, or its worker stopped sending heartbeats.</summary>
    Fail = 3,

    /// <summary>Enqueued, not started.</summary>
    Waiting = 4,
}

/// <summary>Whether the study looks for the smallest or the largest objective value.</summary>
public enum StudyDirection
{
    /// <summary>Smaller is better (a loss).</summary>
    Minimize,

    /// <summary>Larger is better (an accuracy).</summary>
    Maximize,
}
