using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json;
using Volt.Profiling;
using static TorchSharp.torch;

namespace Volt.Callbacks;

/// <summary>
/// Calls a hook on every callback of a trainer, in order; every hook the loops, the trainer and the checkpoints
/// call goes through here (the model is Lightning's <c>_call_callback_hooks</c> in
/// <c>src/lightning/pytorch/trainer/call.py</c> and Keras' <c>CallbackList</c> in <c>keras/src/callbacks/callback_list.py</c>).
/// It is the one place that decides what a throwing callback does: the exception propagates unchanged (the
/// remaining callbacks do not run the hook), named with the callback and hook (<see cref="CallbackFailure"/>).
/// </summary>
internal sealed class CallbackDispatcher
{
    private readonly IReadOnlyList<Callback> callbacks;
    private readonly CallbackContext context;
    private readonly SimpleProfiler? profiler;

    /// <param name="callbacks">The callbacks, in the order their hooks run.</param>
    /// <param name="context">What the hooks see of the trainer.</param>
    /// <param name="profiler">Times each callback's hook (Lightning's <c>[Callback]{state_key}.{hook}</c> actions), or null.</param>
    public CallbackDispatcher(IReadOnlyList<Callback> callbacks, CallbackContext context, SimpleProfiler? profiler = null)
    {
        this.callbacks = callbacks;
        this.context = context;
        this.profiler = profiler;
    }

    /// <summary>The callbacks in the order their hooks run.</summary>
    public IReadOnlyList<Callback> Callbacks => callbacks;

    public void OnFitStart() => Call(nameof(Callback.OnFitStart), static (callback, context) => callback.OnFitStart(context));

    public void OnFitEnd() => Call(nameof(Callback.OnFitEnd), static (callback, context) => callback.OnFitEnd(context));

    public void OnTrainEpochStart() => Call(nameof(Callback.OnTrainEpochStart), static (callback, context) => callback.OnTrainEpochStart(context));

    public void OnTrainEpochEnd() => Call(nameof(Callback.OnTrainEpochEnd), static (callback, context) => callback.OnTrainEpochEnd(context));

    public void OnTrainBatchStart(int batchIndex)
        => Call(nameof(Callback.OnTrainBatchStart), batchIndex, static (callback, context, index) => callback.OnTrainBatchStart(context, index));

    public void OnTrainBatchEnd(int batchIndex)
        => Call(nameof(Callback.OnTrainBatchEnd), batchIndex, static (callback, context, index) => callback.OnTrainBatchEnd(context, index));

    public void OnBeforeBackward(Tensor loss)
        => Call(nameof(Callback.OnBeforeBackward), loss, static (callback, context, value) => callback.OnBeforeBackward(context, value));

    public void OnAfterBackward() => Call(nameof(Callback.OnAfterBackward), static (callback, context) => callback.OnAfterBackward(context));

    public void OnBeforeOptimizerStep(optim.Optimizer optimizer)
        => Call(nameof(Callback.OnBeforeOptimizerStep), optimizer, static (callback, context, stepping) => callback.OnBeforeOptimizerStep(context, stepping));

    public void OnValidationEpochStart() => Call(nameof(Callback.OnValidationEpochStart), static (callback, context) => callback.OnValidationEpochStart(context));

    public void OnValidationEpochEnd() => Call(nameof(Callback.OnValidationEpochEnd), static (callback, context) => callback.OnValidationEpochEnd(context));

    public void OnValidationBatchStart(int batchIndex)
        => Call(nameof(Callback.OnValidationBatchStart), batchIndex, static (callback, context, index) => callback.OnValidationBatchStart(context, index));

    public void OnValidationBatchEnd(int batchIndex)
        => Call(nameof(Callback.OnValidationBatchEnd), batchIndex, static (callback, context, index) => callback.OnValidationBatchEnd(context, index));

    public void OnTestStart() => Call(nameof(Callback.OnTestStart), static (callback, context) => callback.OnTestStart(context));

    public void OnTestEnd() => Call(nameof(Callback.OnTestEnd), static (callback, context) => callback.OnTestEnd(context));

    public void OnTestBatchStart(int batchIndex)
        => Call(nameof(Callback.OnTestBatchStart), batchIndex, static (callback, context, index) => callback.OnTestBatchStart(context, index));

    public void OnTestBatchEnd(int batchIndex)
        => Call(nameof(Callback.OnTestBatchEnd), batchIndex, static (callback, context, index) => callback.OnTestBatchEnd(context, index));

    public void OnSaveCheckpoint(string path)
        => Call(nameof(Callback.OnSaveCheckpoint), path, static (callback, context, file) => callback.OnSaveCheckpoint(context, file));

    public void OnLoadCheckpoint(string path)
        => Call(nameof(Callback.OnLoadCheckpoint), path, static (callback, context, file) => callback.OnLoadCheckpoint(context, file));

    public void OnException(Exception exception)
        => Call(nameof(Callback.OnException), exception, static (callback, context, error) => callback.OnException(context, error));

    /// <summary>Writes every callback's state as a property of the open JSON object, under its <see cref="Callback.StateKey"/>.</summary>
    public void SaveStates(Utf8JsonWriter writer)
        => Call(nameof(Callback.SaveState), writer, static (callback, _, json) =>
        {
            json.WriteStartObject(callback.StateKey);
            callback.SaveState(json);
            json.WriteEndObject();
        });

    /// <summary>Restores every callback whose <see cref="Callback.StateKey"/> is a property of <paramref name="states"/>; the others keep their state.</summary>
    public void LoadStates(JsonElement states)
        => Call(nameof(Callback.LoadState), states, static (callback, _, saved) =>
        {
            if (saved.TryGetProperty(callback.StateKey, out var state))
            {
                callback.LoadState(state);
            }
        });

    private void Call(string hook, Action<Callback, CallbackContext> invoke)
        => Call(hook, invoke, static (callback, context, hookWithoutArgument) => hookWithoutArgument(callback, context));

    private void Call<TArgument>(string hook, TArgument argument, Action<Callback, CallbackContext, TArgument> invoke)
    {
        // Which hooks run on which rank is decided here once a multi-process strategy needs it. Today every hook
        // runs on every rank, as in Lightning; once-only side effects are guarded inside the callbacks.
        for (var i = 0; i < callbacks.Count; i++)
        {
            var callback = callbacks[i];
            var started = profiler is null ? 0 : Stopwatch.GetTimestamp();
            try
            {
                invoke(callback, context, argument);
            }
            catch (Exception error) when (NameSource(error, callback, hook))
            {
                // Not reached: NameSource returns false, so the exception propagates with its type and stack trace.
            }

            profiler?.RecordHook(callback, hook, started);
        }
    }

    /// <summary>
    /// Records the callback and hook an exception came from, then lets it propagate (an exception filter that
    /// returns false). A hook that runs other hooks (a checkpoint written from a hook calls OnSaveCheckpoint)
    /// keeps the innermost source: that callback threw.
    /// </summary>
    private static bool NameSource(Exception error, Callback callback, string hook)
    {
        if (!error.Data.Contains(CallbackFailure.CallbackKey))
        {
            error.Data[CallbackFailure.CallbackKey] = callback.StateKey;
            error.Data[CallbackFailure.HookKey] = hook;
        }

        return false;
    }
}
