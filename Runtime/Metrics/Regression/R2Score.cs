using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics.Regression;

/// <summary>
/// The coefficient of determination R² = 1 − SS_res / SS_tot (torchmetrics' <c>R2Score</c>, one output),
/// from summed states Σy, Σy², Σ(y − ŷ)² and n. Inputs are flattened; their shapes must match.
/// Fewer than two samples give NaN.
/// </summary>
public sealed class R2Score : Metric
{
    private readonly MetricState sumTarget;
    private readonly MetricState sumSquaredTarget;
    private readonly MetricState residual;
    private readonly MetricState total;

    /// <summary>Creates the metric.</summary>
    public R2Score()
        : base(nameof(R2Score))
    {
        using var zero = torch.zeros(1, ScalarType.Float64);
        using var count = torch.zeros(1, ScalarType.Int64);
        sumTarget = AddState("sum_target", zero, StateReduction.Sum);
        sumSquaredTarget = AddState("sum_squared_target", zero, StateReduction.Sum);
        residual = AddState("residual", zero, StateReduction.Sum);
        total = AddState("total", count, StateReduction.Sum);
    }

    /// <inheritdoc/>
    protected override void UpdateStates(Tensor preds, Tensor target)
    {
        RegressionInputs.Require(this, preds, target);
        var y = target.to(ScalarType.Float64);
        sumTarget.Value.add_(y.sum());
        sumSquaredTarget.Value.add_(y.square().sum());
        residual.Value.add_(preds.detach().to(ScalarType.Float64).sub_(y).square().sum());
        total.Value.add_(target.numel());
    }

    /// <inheritdoc/>
    protected override Tensor ComputeFromStates()
    {
        var n = total.Value.to(ScalarType.Float64);
        var totalSumOfSquares = sumSquaredTarget.Value.sub(sumTarget.Value.square().div(n));
        var r2 = residual.Value.div(totalSumOfSquares).neg_().add_(1);
        return torch.where(n.lt(2), torch.full_like(r2, double.NaN), r2).squeeze();
    }
}
