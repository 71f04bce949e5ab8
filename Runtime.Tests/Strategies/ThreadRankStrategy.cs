using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Strategies;

/// <summary>
/// A data-parallel strategy for tests: one rank of an <see cref="InProcessGroup"/>, on the CPU. Its
/// collectives go through the group, so trainers running on threads behave like processes of one job;
/// gradients are averaged over the ranks.
/// </summary>
internal sealed class ThreadRankStrategy(InProcessGroup group, int rank) : Strategy
{
    public override Device Device => torch.CPU;

    public override int WorldSize => group.Size;

    public override int GlobalRank => rank;

    public override int LocalRank => rank;

    /// <summary>How many times each collective was entered, by name.</summary>
    public Dictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public override void ReduceGradients()
    {
        foreach (var parameter in Module!.parameters())
        {
            if (parameter.grad is { } grad)
            {
                AllReduce(grad, ReduceOp.Mean);
            }
        }
    }

    public override void ReduceGradients(optim.Optimizer optimizer)
    {
        foreach (var parameter in optimizer.parameters())
        {
            if (parameter.grad is { } grad)
            {
                AllReduce(grad, ReduceOp.Mean);
            }
        }
    }

    public override void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var all = Exchange(Values(tensor), nameof(AllReduce));
        var combined = new double[all[0].Length];
        for (var i = 0; i < combined.Length; i++)
        {
            var column = all.Select(values => values[i]).ToArray();
            combined[i] = op switch
            {
                ReduceOp.Sum => column.Sum(),
                ReduceOp.Mean => column.Average(),
                ReduceOp.Max => column.Max(),
                _ => column.Min(),
            };
        }

        Overwrite(tensor, combined);
    }

    public override void Broadcast(Tensor tensor, int sourceRank = 0)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Overwrite(tensor, Exchange(Values(tensor), nameof(Broadcast))[sourceRank]);
    }

    public override IReadOnlyList<Tensor> AllGather(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        return Exchange(Values(tensor), nameof(AllGather))
            .Select(values => torch.tensor(values, dtype: ScalarType.Float64).reshape(tensor.shape).to(tensor.dtype))
            .ToList();
    }

    public override void Barrier() => Exchange(true, nameof(Barrier));

    public override bool ReduceDecision(bool decision, bool all = false)
    {
        var decisions = Exchange(decision, nameof(ReduceDecision));
        return all ? decisions.All(d => d) : decisions.Any(d => d);
    }

    public override string? BroadcastText(string? text, int sourceRank = 0)
        => Exchange(text, nameof(BroadcastText))[sourceRank];

    private T[] Exchange<T>(T value, string collective)
    {
        Calls[collective] = Calls.GetValueOrDefault(collective) + 1;
        return group.Exchange(rank, value, collective);
    }

    private static double[] Values(Tensor tensor)
    {
        using var values = tensor.detach().to(ScalarType.Float64).cpu().flatten();
        return values.data<double>().ToArray();
    }

    private static void Overwrite(Tensor tensor, double[] values)
    {
        using var source = torch.tensor(values, dtype: ScalarType.Float64).reshape(tensor.shape);
        using var noGrad = torch.no_grad();
        tensor.copy_(source);
    }
}
