using System.Linq;
using TorchSharp;
using Volt.Metrics;
using Volt.Metrics.Classification;
using static TorchSharp.torch;
using static Volt.Runtime.Tests.Metrics.MetricAssert;

namespace Volt.Runtime.Tests.Metrics;

using Average = Volt.Metrics.Classification.Average;

/// <summary>The custom metric of docs/metrics.md, as written there.</summary>
public sealed class SumOfTargets : Metric
{
    private readonly MetricState sum;

    public SumOfTargets()
        : base(nameof(SumOfTargets))
    {
        using var zero = torch.zeros(1, ScalarType.Float64);
        sum = AddState("sum", zero, StateReduction.Sum);
    }

    protected override void UpdateStates(Tensor preds, Tensor target) => sum.Value.add_(target.sum());

    protected override Tensor ComputeFromStates() => sum.Value.clone().squeeze();
}

/// <summary>The examples of docs/metrics.md run and give the values the page states.</summary>
public sealed class DocsExampleTests
{
    [Fact]
    public void TheStandaloneF1ExampleGivesTheStatedValue()
    {
        using var f1 = new F1Score(ClassificationTask.Multiclass(3), Average.Macro);
        f1.Update(torch.tensor(new long[] { 0, 1, 1, 1, 0, 2 }), torch.tensor(new long[] { 0, 0, 1, 1, 2, 2 }));
        Close((0.5 + 0.8 + (2.0 / 3)) / 3, Value(f1));
        f1.Reset();
        Assert.Equal(0, f1.UpdateCount);
    }

    [Fact]
    public void TheCustomMetricSumsAndResets()
    {
        using var metric = new SumOfTargets();
        using var scope = NewDisposeScope();
        metric.Update(zeros(2), tensor(new[] { 1.0, 2.0 }));
        metric.Update(zeros(1), tensor(new[] { 4.0 }));
        Close(7, Value(metric));
        Assert.Equal(["sum"], metric.States.Select(s => s.Name));
        metric.Reset();
        Close(0, Value(metric));
    }
}
