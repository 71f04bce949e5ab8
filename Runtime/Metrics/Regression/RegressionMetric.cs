using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Regression;

/// <summary>The base of the error means: a summed float64 error and a summed sample count.</summary>
public abstract class RegressionMetric : Metric
{
    /// <summary>Creates the states <c>sum</c> and <c>total</c>.</summary>
    /// <param name="name">The module name.</param>
    private protected RegressionMetric(string name)
        : base(name)
    {
        using var zero = torch.zeros(1, ScalarType.Float64);
        using var count = torch.zeros(1, ScalarType.Int64);
        Sum = AddState("sum", zero, StateReduction.Sum);
        Total = AddState("total", count, StateReduction.Sum);
    }

    /// <summary>The summed error of all updates.</summary>
    private protected MetricState Sum { get; }

    /// <summary>The number of elements of all updates.</summary>
    private protected MetricState Total { get; }

    /// <inheritdoc/>
    protected sealed override void UpdateStates(Tensor preds, Tensor target)
    {
        RegressionInputs.Require(this, preds, target);
        using var detached = preds.detach();
        Sum.Value.add_(BatchSum(detached, target));
        Total.Value.add_(preds.numel());
    }

    /// <summary>The batch's summed error as a float64 tensor.</summary>
    /// <param name="preds">The detached predictions.</param>
    /// <param name="target">The targets (same shape).</param>
    protected abstract Tensor BatchSum(Tensor preds, Tensor target);
}

/// <summary>The input checks the regression metrics share.</summary>
internal static class RegressionInputs
{
    public static void Require(Metric metric, Tensor preds, Tensor target)
    {
        if (!preds.shape.AsSpan().SequenceEqual(target.shape))
        {
            throw new ArgumentException(
                $"{metric.GetType().Name}: preds and target must have the same shape, but preds are [{string.Join(", ", preds.shape)}] and target is [{string.Join(", ", target.shape)}].",
                nameof(preds));
        }

        if (!preds.is_floating_point())
        {
            throw new ArgumentException($"{metric.GetType().Name}: preds must be floating point, but their dtype is {preds.dtype}.", nameof(preds));
        }
    }
}
