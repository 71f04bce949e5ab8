using System.Collections.Generic;
using Volt.Distributed;
using Volt.Metrics;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.DdpWorker;

/// <summary>A DdpStrategy that counts its gradient reductions (to see that accumulating batches reduce nothing).</summary>
public sealed class CountingStrategy(DdpStrategy inner) : Strategy
{
    public int GradientReductions { get; private set; }

    public override Device Device => inner.Device;

    public override int WorldSize => inner.WorldSize;

    public override int GlobalRank => inner.GlobalRank;

    public override int LocalRank => inner.LocalRank;

    public override int NodeRank => inner.NodeRank;

    public override IMetricStateSync? MetricStateSync => inner.MetricStateSync;

    public override void Setup(nn.Module module)
    {
        base.Setup(module);
        inner.Setup(module);
    }

    public override void ReduceGradients()
    {
        GradientReductions++;
        inner.ReduceGradients();
    }

    public override void ReduceGradients(optim.Optimizer optimizer)
    {
        GradientReductions++;
        inner.ReduceGradients(optimizer);
    }

    public override void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum) => inner.AllReduce(tensor, op);

    public override void Broadcast(Tensor tensor, int sourceRank = 0) => inner.Broadcast(tensor, sourceRank);

    public override IReadOnlyList<Tensor> AllGather(Tensor tensor) => inner.AllGather(tensor);

    public override void Barrier() => inner.Barrier();

    public override bool ReduceDecision(bool decision, bool all = false) => inner.ReduceDecision(decision, all);

    public override string? BroadcastText(string? text, int sourceRank = 0) => inner.BroadcastText(text, sourceRank);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
