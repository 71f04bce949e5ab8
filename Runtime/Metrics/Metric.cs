using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Metrics;

/// <summary>
/// A metric that accumulates over many batches (torchmetrics' <c>Metric</c>): <see cref="Update"/> adds a
/// batch to the states, <see cref="Compute"/> turns the states into the value, <see cref="Reset"/> starts
/// over. States are tensors on the module's device updated in place, so an update costs no host
/// synchronisation. Make a metric a field of the module: TorchSharp then sees it as a submodule, the
/// trainer moves it with the module, checkpoints save its states, and <c>Log("name", metric)</c> computes
/// it at the epoch end and resets it. See docs/metrics.md.
/// </summary>
public abstract class Metric : nn.Module
{
    private readonly List<MetricState> states = [];
    private Tensor? forwardValue;

    /// <summary>Creates a metric; <paramref name="name"/> is its TorchSharp module name.</summary>
    /// <param name="name">The module name, usually the metric's type name.</param>
    protected Metric(string name)
        : base(name)
    {
    }

    /// <summary>The metric's states in the order they were added.</summary>
    public IReadOnlyList<MetricState> States => states;

    /// <summary>The number of <see cref="Update"/> and <see cref="Forward"/> calls since the last reset.</summary>
    public long UpdateCount { get; private set; }

    /// <summary>
    /// The collective that combines states across processes before <see cref="Compute"/>; null (one
    /// process) computes from the local states. The trainer sets it from its strategy.
    /// </summary>
    public IMetricStateSync? StateSync { get; set; }

    /// <summary>The device the states are on: CPU until the metric (or the module holding it) is moved.</summary>
    public Device StateDevice { get; private set; } = torch.CPU;

    /// <summary>The value of the last <see cref="Forward"/> call since the last <see cref="Update"/> or reset; null otherwise. Owned by the metric.</summary>
    internal Tensor? ForwardValue => forwardValue;

    /// <summary>Changes whenever the states change (update, reset, load), so callers can cache computed values.</summary>
    internal long Version { get; private set; }

    /// <summary>Adds a batch to the states.</summary>
    /// <param name="preds">Predictions: logits, probabilities or labels, as the metric documents.</param>
    /// <param name="target">The ground truth.</param>
    /// <exception cref="ArgumentException">The shapes, dtypes or devices do not fit the metric; the message names them.</exception>
    public void Update(Tensor preds, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(preds);
        ArgumentNullException.ThrowIfNull(target);
        if (!TryUpdateWithoutTensors(preds, target))
        {
            using var scope = torch.NewDisposeScope();
            UpdateStates(preds, target);
        }

        RecordUpdate();
    }

    /// <summary>
    /// Adds a batch to the states and returns the metric of this batch alone (torchmetrics' <c>forward</c>):
    /// the value a metric logged per step shows. The result belongs to the caller's dispose scope.
    /// </summary>
    /// <param name="preds">Predictions, as for <see cref="Update"/>.</param>
    /// <param name="target">The ground truth.</param>
    /// <returns>The metric computed on this batch only (never synchronised across processes).</returns>
    public Tensor Forward(Tensor preds, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(preds);
        ArgumentNullException.ThrowIfNull(target);

        // torchmetrics' reduce-state path: set the accumulated states aside, compute on the batch alone,
        // then merge the accumulated states back with each state's reduction.
        var earlier = new List<MetricState.StateContent>(states.Count);
        foreach (var state in states)
        {
            earlier.Add(state.TakeContent());
        }

        Tensor batchValue;
        try
        {
            using var scope = torch.NewDisposeScope();
            UpdateStates(preds, target);
            batchValue = ComputeFromStates().detach().MoveToOuterDisposeScope();
        }
        finally
        {
            for (var i = 0; i < states.Count; i++)
            {
                states[i].MergeBack(earlier[i]);
            }
        }

        UpdateCount++;
        Version++;
        ClearForwardValue();
        forwardValue = batchValue.clone().DetachFromDisposeScope();
        return batchValue;
    }

    /// <summary>
    /// Computes the metric from everything added since the last reset, combining the states of all
    /// processes first when <see cref="StateSync"/> is set. The result belongs to the caller's dispose scope.
    /// </summary>
    /// <returns>A 0-dimensional tensor, or one value per class for <c>Average.None</c>.</returns>
    public Tensor Compute()
    {
        if (StateSync is not { WorldSize: > 1 } sync)
        {
            return ComputeFromStates();
        }

        // Every rank gathers every state, computes from the combined states, then gets its local states back.
        var local = new List<MetricState.StateContent>(states.Count);
        try
        {
            using var scope = torch.NewDisposeScope();
            var combined = new List<Tensor?>(states.Count);
            foreach (var state in states)
            {
                combined.Add(state.Gather(sync));
            }

            foreach (var state in states)
            {
                local.Add(state.TakeContent());
            }

            for (var i = 0; i < states.Count; i++)
            {
                states[i].Load(combined[i], GetType().Name);
            }

            return ComputeFromStates().MoveToOuterDisposeScope();
        }
        finally
        {
            for (var i = 0; i < local.Count; i++)
            {
                states[i].Restore(local[i]);
            }
        }
    }

    /// <summary>Puts every state back to its default (torchmetrics' <c>reset</c>).</summary>
    public void Reset()
    {
        foreach (var state in states)
        {
            state.Reset();
        }

        UpdateCount = 0;
        Version++;
        ClearForwardValue();
    }

    /// <summary>Adds a state that is one tensor updated in place; <paramref name="defaultValue"/> is copied and restored by every reset.</summary>
    /// <param name="name">The state's name, unique within the metric.</param>
    /// <param name="defaultValue">The initial value (copied).</param>
    /// <param name="reduction">How copies on different processes combine: <see cref="StateReduction.Sum"/>, <see cref="StateReduction.Max"/> or <see cref="StateReduction.Min"/>.</param>
    /// <returns>The state; keep it in a field.</returns>
    protected MetricState AddState(string name, Tensor defaultValue, StateReduction reduction)
    {
        ArgumentNullException.ThrowIfNull(defaultValue);
        if (reduction == StateReduction.Cat)
        {
            throw new ArgumentException($"The state '{name}' of {GetType().Name}: use AddCatState for concatenated states.", nameof(reduction));
        }

        return Add(new MetricState(name, reduction, defaultValue));
    }

    /// <summary>Adds a state that collects batch tensors and concatenates them along dimension 0 (an empty list after reset).</summary>
    /// <param name="name">The state's name, unique within the metric.</param>
    /// <returns>The state; keep it in a field.</returns>
    protected MetricState AddCatState(string name) => Add(new MetricState(name, StateReduction.Cat, null));

    /// <summary>Adds one batch to the states; runs inside a dispose scope, so temporaries need no care.</summary>
    /// <param name="preds">The predictions.</param>
    /// <param name="target">The ground truth.</param>
    protected abstract void UpdateStates(Tensor preds, Tensor target);

    /// <summary>
    /// Adds a batch without making a tensor, when the metric can (<see cref="Update"/> then needs no dispose
    /// scope); false leaves the batch to <see cref="UpdateStates"/>.
    /// </summary>
    private protected virtual bool TryUpdateWithoutTensors(Tensor preds, Tensor target) => false;

    /// <summary>Computes the value from the current states, as a new tensor in the caller's dispose scope.</summary>
    protected abstract Tensor ComputeFromStates();

    /// <summary>Throws when <paramref name="tensor"/> is on another device than the states.</summary>
    /// <param name="tensor">An input.</param>
    /// <param name="argument">The input's name for the message.</param>
    protected void RequireStateDevice(Tensor tensor, string argument)
    {
        if (tensor.device_type != StateDevice.type || (tensor.device_type != DeviceType.CPU && tensor.device_index != StateDevice.index))
        {
            throw new ArgumentException(
                $"{GetType().Name}: {argument} is on {tensor.device} but the metric's states are on {StateDevice}. "
                + "Make the metric a field of the module (the trainer moves it with the module) or move it with metric.to(device).",
                argument);
        }
    }

    /// <inheritdoc/>
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
    {
        // Like torchmetrics, a dtype change of the module leaves integer counts alone: states only move.
        base._to(device, dtype, non_blocking);
        MoveStates(device);
        return this;
    }

    /// <inheritdoc/>
    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
    {
        base._to(deviceType, deviceIndex, non_blocking);
        MoveStates(new Device(deviceType, deviceIndex));
        return this;
    }

    /// <inheritdoc/>
    protected override nn.Module _to(ScalarType dtype, bool non_blocking)
    {
        base._to(dtype, non_blocking);
        return this;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var state in states)
            {
                state.Dispose();
            }

            ClearForwardValue();
        }

        base.Dispose(disposing);
    }

    /// <summary>Replaces every state's content (checkpoint restore); null entries empty concatenated states.</summary>
    internal void LoadStates(IReadOnlyList<Tensor?> stored, long updateCount)
    {
        for (var i = 0; i < states.Count; i++)
        {
            states[i].Load(stored[i], GetType().Name);
        }

        UpdateCount = updateCount;
        Version++;
        ClearForwardValue();
    }

    /// <summary>Counts an update made without <see cref="Update"/> (a <see cref="MetricCollection"/>'s shared update): the states changed and the batch value is gone.</summary>
    private protected void RecordUpdate()
    {
        UpdateCount++;
        Version++;
        ClearForwardValue();
    }

    private MetricState Add(MetricState state)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(state.Name);
        foreach (var existing in states)
        {
            if (existing.Name == state.Name)
            {
                state.Dispose();
                throw new ArgumentException($"{GetType().Name} already has a state named '{state.Name}'.");
            }
        }

        states.Add(state);
        return state;
    }

    private void MoveStates(Device device)
    {
        StateDevice = device;
        foreach (var state in states)
        {
            state.MoveTo(device);
        }

        if (forwardValue is not null)
        {
            var moved = forwardValue.to(device).DetachFromDisposeScope();
            if (!ReferenceEquals(moved, forwardValue))
            {
                forwardValue.Dispose();
            }

            forwardValue = moved;
        }
    }

    private void ClearForwardValue()
    {
        forwardValue?.Dispose();
        forwardValue = null;
    }
}
