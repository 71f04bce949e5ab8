using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Regression;

/// <summary>
/// The mean squared error Σ(preds − target)² / n (torchmetrics' <c>MeanSquaredError</c>), or its root with
/// <paramref name="squared"/> false. Inputs are flattened; their shapes must match.
/// </summary>
/// <param name="squared">True: MSE; false: RMSE.</param>
public sealed class MeanSquaredError(bool squared = true) : RegressionMetric(nameof(MeanSquaredError))
{
    /// <summary>True for MSE, false for RMSE.</summary>
    public bool Squared { get; } = squared;

    /// <inheritdoc/>
    protected override Tensor BatchSum(Tensor preds, Tensor target) => preds.sub(target).square().sum(ScalarType.Float64);

    /// <inheritdoc/>
    protected override Tensor ComputeFromStates()
    {
        var mean = Sum.Value.div(Total.Value);
        return Squared ? mean.squeeze() : mean.sqrt_().squeeze();
    }
}
