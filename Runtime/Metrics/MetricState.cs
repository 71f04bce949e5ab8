using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics;

/// <summary>
/// One named state tensor of a <see cref="Metric"/> and how copies of it combine across processes
/// (torchmetrics' <c>add_state</c>). A summed, max or min state is one tensor updated in place; a
/// concatenated state is a list of batch tensors. The metric owns the tensors and frees them.
/// </summary>
public sealed class MetricState : IDisposable
{
    private readonly List<Tensor> parts = [];
    private Tensor? defaultValue;
    private Tensor? value;
    private Device device = torch.CPU;

    internal MetricState(string name, StateReduction reduction, Tensor? defaultValue)
    {
        Name = name;
        Reduction = reduction;
        if (defaultValue is not null)
        {
            this.defaultValue = defaultValue.detach().clone().DetachFromDisposeScope();
            value = this.defaultValue.clone().DetachFromDisposeScope();
        }
    }

    /// <summary>The state's name, unique within its metric (the key in checkpoints).</summary>
    public string Name { get; }

    /// <summary>How copies of the state on different processes combine.</summary>
    public StateReduction Reduction { get; }

    /// <summary>
    /// The tensor of a summed, max or min state, updated in place by the metric. The metric owns it:
    /// do not dispose it or keep it across a <see cref="Metric.Reset"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The state is concatenated; use <see cref="Append"/> and <see cref="Concatenated"/>.</exception>
    public Tensor Value => value ?? throw new InvalidOperationException($"The metric state '{Name}' is concatenated (StateReduction.Cat); it has no single tensor.");

    /// <summary>The number of batch tensors a concatenated state holds (0 for other states).</summary>
    public int PartCount => parts.Count;

    /// <summary>Appends a detached copy of <paramref name="batch"/> to a concatenated state.</summary>
    /// <param name="batch">The batch's values; it is copied, not kept.</param>
    public void Append(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        RequireCat();
        parts.Add(batch.detach().clone().DetachFromDisposeScope());
    }

    /// <summary>
    /// All appended tensors concatenated along dimension 0, as a new tensor in the caller's dispose scope;
    /// null when nothing was appended.
    /// </summary>
    public Tensor? Concatenated()
    {
        RequireCat();
        return parts.Count switch
        {
            0 => null,
            1 => parts[0].clone(),
            _ => torch.cat(parts, 0),
        };
    }

    /// <summary>A copy of the state as one tensor (a concatenated state joined), or null for an empty concatenated state.</summary>
    internal Tensor? Snapshot() => Reduction == StateReduction.Cat ? Concatenated() : Value.clone();

    /// <summary>Puts the state back to its default: the default tensor, or no parts.</summary>
    internal void Reset()
    {
        ClearParts();
        if (defaultValue is not null)
        {
            value!.copy_(defaultValue);
        }
    }

    /// <summary>Replaces the state's content with <paramref name="stored"/> (copied; null empties a concatenated state).</summary>
    internal void Load(Tensor? stored, string metricName)
    {
        if (Reduction == StateReduction.Cat)
        {
            ClearParts();
            if (stored is not null && stored.numel() > 0)
            {
                parts.Add(stored.to(device).clone().DetachFromDisposeScope());
            }

            return;
        }

        if (stored is null || !stored.shape.AsSpan().SequenceEqual(value!.shape) || stored.dtype != value.dtype)
        {
            var found = stored is null ? "nothing" : $"[{string.Join(", ", stored.shape)}] {stored.dtype}";
            throw new ArgumentException($"The state '{Name}' of {metricName} is [{string.Join(", ", value!.shape)}] {value.dtype}, but {found} was given.");
        }

        value.copy_(stored);
    }

    /// <summary>Takes the current content out (the caller owns it) and leaves the state at its default.</summary>
    internal StateContent TakeContent()
    {
        var content = new StateContent(value?.clone().DetachFromDisposeScope(), [.. parts]);
        parts.Clear();
        if (defaultValue is not null)
        {
            value!.copy_(defaultValue);
        }

        return content;
    }

    /// <summary>Merges <paramref name="earlier"/> (taken with <see cref="TakeContent"/>) back into the state with the state's reduction, and frees it.</summary>
    internal void MergeBack(StateContent earlier)
    {
        switch (Reduction)
        {
            case StateReduction.Cat:
                parts.InsertRange(0, earlier.Parts);
                break;
            case StateReduction.Sum:
                value!.add_(earlier.Value!);
                break;
            case StateReduction.Max:
                value!.copy_(torch.maximum(value, earlier.Value!));
                break;
            case StateReduction.Min:
                value!.copy_(torch.minimum(value, earlier.Value!));
                break;
        }

        earlier.Value?.Dispose();
    }

    /// <summary>Puts back content taken with <see cref="TakeContent"/>, replacing what the state holds now, and frees it.</summary>
    internal void Restore(StateContent taken)
    {
        ClearParts();
        parts.AddRange(taken.Parts);
        if (taken.Value is not null)
        {
            value!.copy_(taken.Value);
            taken.Value.Dispose();
        }
    }

    /// <summary>
    /// Combines every rank's copy of this state with the state's reduction; the result belongs to the
    /// caller's dispose scope (null when every rank's concatenated state is empty).
    /// </summary>
    internal Tensor? Gather(IMetricStateSync sync)
    {
        Tensor local = Snapshot() ?? torch.empty(0, device: device);
        var copies = sync.AllGather(local);
        if (Reduction == StateReduction.Cat)
        {
            var nonEmpty = new List<Tensor>();
            foreach (var copy in copies)
            {
                if (copy.numel() > 0)
                {
                    nonEmpty.Add(copy);
                }
            }

            return nonEmpty.Count == 0 ? null : torch.cat(nonEmpty, 0);
        }

        using var stacked = torch.stack(copies, 0);
        return Reduction switch
        {
            StateReduction.Sum => stacked.sum(0, type: value!.dtype),
            StateReduction.Max => stacked.amax(0),
            _ => stacked.amin(0),
        };
    }

    /// <summary>Moves the state's tensors to <paramref name="target"/>; dtypes stay.</summary>
    internal void MoveTo(Device target)
    {
        device = target;
        if (defaultValue is not null)
        {
            Replace(ref defaultValue, target);
            Replace(ref value, target);
        }

        for (var i = 0; i < parts.Count; i++)
        {
            var moved = parts[i].to(target).DetachFromDisposeScope();
            if (!ReferenceEquals(moved, parts[i]))
            {
                parts[i].Dispose();
            }

            parts[i] = moved;
        }
    }

    /// <summary>Frees the state's tensors.</summary>
    public void Dispose()
    {
        ClearParts();
        value?.Dispose();
        value = null;
        defaultValue?.Dispose();
        defaultValue = null;
    }

    private static void Replace(ref Tensor? tensor, Device device)
    {
        var moved = tensor!.to(device).DetachFromDisposeScope();
        if (!ReferenceEquals(moved, tensor))
        {
            tensor.Dispose();
        }

        tensor = moved;
    }

    private void ClearParts()
    {
        foreach (var part in parts)
        {
            part.Dispose();
        }

        parts.Clear();
    }

    private void RequireCat()
    {
        if (Reduction != StateReduction.Cat)
        {
            throw new InvalidOperationException($"The metric state '{Name}' is reduced by {Reduction}; only concatenated states (StateReduction.Cat) take appended batches.");
        }
    }

    /// <summary>The content of a state taken out while a batch is computed on its own.</summary>
    internal sealed record StateContent(Tensor? Value, List<Tensor> Parts);
}
