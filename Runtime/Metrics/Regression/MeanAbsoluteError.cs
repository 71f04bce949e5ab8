using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Regression;

/// <summary>The mean absolute error Σ|preds − target| / n (torchmetrics' <c>MeanAbsoluteError</c>). Inputs are flattened; their shapes must match.</summary>
public sealed class MeanAbsoluteError() : RegressionMetric(nameof(MeanAbsoluteError))
{
    /// <inheritdoc/>
    protected override Tensor BatchSum(Tensor preds, Tensor target) => preds.sub(target).abs_().sum(ScalarType.Float64);

    /// <inheritdoc/>
    protected override Tensor ComputeFromStates() => Sum.Value.div(Total.Value).squeeze();
}
