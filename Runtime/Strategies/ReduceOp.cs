namespace Volt.Strategies;

/// <summary>How a collective combines every process's tensor (torch.distributed's <c>ReduceOp</c>).</summary>
public enum ReduceOp
{
    /// <summary>The element-wise sum over processes.</summary>
    Sum,

    /// <summary>The element-wise mean over processes (the sum divided by the world size).</summary>
    Mean,

    /// <summary>The element-wise maximum over processes.</summary>
    Max,

    /// <summary>The element-wise minimum over processes.</summary>
    Min,
}
