using System;
using System.Text.Json;
using static TorchSharp.torch;

namespace Volt.Callbacks;

/// <summary>
/// A training callback (Lightning's <c>Callback</c>): override the hooks you need; the others do
/// nothing. The loops call the hooks of all callbacks in order — the order given in
/// the callbacks given to the <see cref="Trainer"/>, with <see cref="ModelCheckpoint"/> callbacks moved last so
/// they see what the others did (Lightning's rule). A callback's state goes into checkpoints through
/// <see cref="SaveState"/> and comes back through <see cref="LoadState"/>.
/// </summary>
public abstract class Callback
{
    /// <summary>The key of this callback's state in a checkpoint; unique among the trainer's callbacks.</summary>
    public virtual string StateKey => GetType().Name;

    /// <summary>Fitting starts (after the module is on its device and any checkpoint is restored).</summary>
    public virtual void OnFitStart(CallbackContext context)
    {
    }

    /// <summary>Fitting ended normally.</summary>
    public virtual void OnFitEnd(CallbackContext context)
    {
    }

    /// <summary>A training epoch starts.</summary>
    public virtual void OnTrainEpochStart(CallbackContext context)
    {
    }

    /// <summary>A training epoch ended; its metrics (and the validation run's) are in <see cref="CallbackContext.CallbackMetrics"/>.</summary>
    public virtual void OnTrainEpochEnd(CallbackContext context)
    {
    }

    /// <summary>A training batch starts.</summary>
    public virtual void OnTrainBatchStart(CallbackContext context, int batchIndex)
    {
    }

    /// <summary>A training batch ended: the optimizer has stepped and the global step counts it.</summary>
    public virtual void OnTrainBatchEnd(CallbackContext context, int batchIndex)
    {
    }

    /// <summary>Backward is about to run on <paramref name="loss"/>.</summary>
    public virtual void OnBeforeBackward(CallbackContext context, Tensor loss)
    {
    }

    /// <summary>Backward ran; gradients are in the parameters.</summary>
    public virtual void OnAfterBackward(CallbackContext context)
    {
    }

    /// <summary>The optimizer is about to step.</summary>
    public virtual void OnBeforeOptimizerStep(CallbackContext context, optim.Optimizer optimizer)
    {
    }

    /// <summary>A validation epoch starts.</summary>
    public virtual void OnValidationEpochStart(CallbackContext context)
    {
    }

    /// <summary>A validation epoch ended; its metrics are in <see cref="CallbackContext.CallbackMetrics"/>.</summary>
    public virtual void OnValidationEpochEnd(CallbackContext context)
    {
    }

    /// <summary>A validation batch starts.</summary>
    public virtual void OnValidationBatchStart(CallbackContext context, int batchIndex)
    {
    }

    /// <summary>A validation batch ended.</summary>
    public virtual void OnValidationBatchEnd(CallbackContext context, int batchIndex)
    {
    }

    /// <summary>A test run starts.</summary>
    public virtual void OnTestStart(CallbackContext context)
    {
    }

    /// <summary>A test run ended; its metrics are in <see cref="CallbackContext.CallbackMetrics"/>.</summary>
    public virtual void OnTestEnd(CallbackContext context)
    {
    }

    /// <summary>A test batch starts.</summary>
    public virtual void OnTestBatchStart(CallbackContext context, int batchIndex)
    {
    }

    /// <summary>A test batch ended.</summary>
    public virtual void OnTestBatchEnd(CallbackContext context, int batchIndex)
    {
    }

    /// <summary>A checkpoint is being written to <paramref name="path"/>.</summary>
    public virtual void OnSaveCheckpoint(CallbackContext context, string path)
    {
    }

    /// <summary>A checkpoint was restored from <paramref name="path"/> (after <see cref="LoadState"/>).</summary>
    public virtual void OnLoadCheckpoint(CallbackContext context, string path)
    {
    }

    /// <summary>An exception is leaving the trainer; it is rethrown after all callbacks saw it.</summary>
    public virtual void OnException(CallbackContext context, Exception exception)
    {
    }

    /// <summary>Writes this callback's state as the properties of a JSON object.</summary>
    public virtual void SaveState(Utf8JsonWriter writer)
    {
    }

    /// <summary>Restores the state written by <see cref="SaveState"/>.</summary>
    public virtual void LoadState(JsonElement state)
    {
    }
}
