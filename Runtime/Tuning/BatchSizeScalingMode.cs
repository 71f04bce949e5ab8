namespace Volt.Tuning;

/// <summary>How the batch-size finder searches (Lightning's <c>mode</c> of <c>scale_batch_size</c>).</summary>
public enum BatchSizeScalingMode
{
    /// <summary>Double the batch size until a trial runs out of memory, then keep the last size that fit (the default).</summary>
    Power,

    /// <summary>Double until a trial runs out of memory, then binary-search between the last size that fit and the one that failed, and finally take off the margin.</summary>
    BinarySearch,
}
