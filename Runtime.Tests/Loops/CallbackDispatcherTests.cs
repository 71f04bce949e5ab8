using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Volt.Callbacks;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Loops;

/// <summary>The callback dispatcher: every hook in callback order, and a throwing callback named in its exception.</summary>
public sealed class CallbackDispatcherTests() : TrainingTest(samples: 32)
{
    /// <summary>Every hook the dispatcher has, called with recognisable arguments.</summary>
    private static readonly (string Hook, Action<CallbackDispatcher> Call)[] Hooks =
    [
        (nameof(Callback.OnFitStart), d => d.OnFitStart()),
        (nameof(Callback.OnFitEnd), d => d.OnFitEnd()),
        (nameof(Callback.OnTrainEpochStart), d => d.OnTrainEpochStart()),
        (nameof(Callback.OnTrainEpochEnd), d => d.OnTrainEpochEnd()),
        (nameof(Callback.OnTrainBatchStart), d => d.OnTrainBatchStart(3)),
        (nameof(Callback.OnTrainBatchEnd), d => d.OnTrainBatchEnd(3)),
        (nameof(Callback.OnBeforeBackward), d => d.OnBeforeBackward(null!)),
        (nameof(Callback.OnAfterBackward), d => d.OnAfterBackward()),
        (nameof(Callback.OnBeforeOptimizerStep), d => d.OnBeforeOptimizerStep(null!)),
        (nameof(Callback.OnValidationEpochStart), d => d.OnValidationEpochStart()),
        (nameof(Callback.OnValidationEpochEnd), d => d.OnValidationEpochEnd()),
        (nameof(Callback.OnValidationBatchStart), d => d.OnValidationBatchStart(3)),
        (nameof(Callback.OnValidationBatchEnd), d => d.OnValidationBatchEnd(3)),
        (nameof(Callback.OnTestStart), d => d.OnTestStart()),
        (nameof(Callback.OnTestEnd), d => d.OnTestEnd()),
        (nameof(Callback.OnTestBatchStart), d => d.OnTestBatchStart(3)),
        (nameof(Callback.OnTestBatchEnd), d => d.OnTestBatchEnd(3)),
        (nameof(Callback.OnSaveCheckpoint), d => d.OnSaveCheckpoint("a.ckpt")),
        (nameof(Callback.OnLoadCheckpoint), d => d.OnLoadCheckpoint("a.ckpt")),
        (nameof(Callback.OnException), d => d.OnException(new TimeoutException())),
    ];

    // The dispatcher hands the context on untouched; these callbacks never read it.
    private static CallbackContext Context { get; } = new(null!);

    [Fact]
    public void EveryHookOfCallbackHasADispatcherMethodHere()
    {
        var hooks = typeof(Callback).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(m => m.IsVirtual && m.DeclaringType == typeof(Callback) && m.Name.StartsWith("On", StringComparison.Ordinal))
            .Select(m => m.Name)
            .Order(StringComparer.Ordinal);
        Assert.Equal(hooks, Hooks.Select(h => h.Hook).Order(StringComparer.Ordinal));
        Assert.All(Hooks, h => Assert.NotNull(typeof(CallbackDispatcher).GetMethod(h.Hook)));
    }

    [Fact]
    public void EachHookRunsOnEveryCallbackInOrder()
    {
        var calls = new List<string>();
        var dispatcher = new CallbackDispatcher([new Recorder("a", calls), new Recorder("b", calls), new Recorder("c", calls)], Context);

        foreach (var (hook, call) in Hooks)
        {
            calls.Clear();
            call(dispatcher);
            Assert.Equal([$"a.{hook}", $"b.{hook}", $"c.{hook}"], calls);
        }
    }

    [Fact]
    public void StatesAreSavedAndLoadedUnderEachStateKey()
    {
        var calls = new List<string>();
        var dispatcher = new CallbackDispatcher([new Recorder("a", calls), new Recorder("b", calls)], Context);
        using var buffer = new System.IO.MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            dispatcher.SaveStates(writer);
            writer.WriteEndObject();
        }

        using var saved = JsonDocument.Parse(buffer.ToArray());
        Assert.Equal("""{"a":{"name":"a"},"b":{"name":"b"}}""", saved.RootElement.GetRawText());

        calls.Clear();
        using var partial = JsonDocument.Parse("""{"b":{"name":"b"}}""");
        dispatcher.LoadStates(partial.RootElement);
        Assert.Equal(["b.LoadState(b)"], calls);
    }

    [Fact]
    public void AThrowingCallbackStopsTheHookAndIsNamedInTheUnchangedException()
    {
        var calls = new List<string>();
        var failure = new InvalidOperationException("scripted failure");
        var dispatcher = new CallbackDispatcher(
            [new Recorder("a", calls), new Recorder("b", calls) { Throws = (nameof(Callback.OnTrainEpochEnd), failure) }, new Recorder("c", calls)],
            Context);

        var error = Assert.Throws<InvalidOperationException>(dispatcher.OnTrainEpochEnd);

        Assert.Same(failure, error);
        Assert.Equal("scripted failure", error.Message);
        Assert.Equal(["a.OnTrainEpochEnd", "b.OnTrainEpochEnd"], calls);
        Assert.True(CallbackFailure.TryGetSource(error, out var callback, out var hook));
        Assert.Equal(("b", "OnTrainEpochEnd"), (callback, hook));
    }

    [Fact]
    public void AHookInsideAHookNamesTheCallbackThatThrew()
    {
        var calls = new List<string>();
        CallbackDispatcher? dispatcher = null;
        var saver = new Recorder("saver", calls) { Nested = () => dispatcher!.OnSaveCheckpoint("x.ckpt") };
        var failing = new Recorder("failing", calls) { Throws = (nameof(Callback.OnSaveCheckpoint), new System.IO.IOException("disk full")) };
        dispatcher = new CallbackDispatcher([saver, failing], Context);

        var error = Assert.Throws<System.IO.IOException>(dispatcher.OnValidationEpochEnd);

        Assert.True(CallbackFailure.TryGetSource(error, out var callback, out var hook));
        Assert.Equal(("failing", "OnSaveCheckpoint"), (callback, hook));
    }

    [Fact]
    public void AnExceptionThatNoCallbackThrewHasNoSource()
        => Assert.False(CallbackFailure.TryGetSource(new InvalidOperationException(), out _, out _));

    [Fact]
    public void AFitFailingInACallbackKeepsTheExceptionTypeNamesTheHookAndTellsTheOtherCallbacks()
    {
        var calls = new List<string>();
        var thrower = new Recorder("thrower", calls) { Throws = (nameof(Callback.OnTrainEpochEnd), new InvalidOperationException("epoch end failed")) };
        var watcher = new Recorder("watcher", calls);
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        var trainer = new Trainer(Root.Options(2) with { EnableCheckpointing = false, EnableLogging = false }, callbacks: [thrower, watcher]);

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(module, train));

        Assert.Equal("epoch end failed", error.Message);
        Assert.True(CallbackFailure.TryGetSource(error, out var callback, out var hook));
        Assert.Equal(("thrower", "OnTrainEpochEnd"), (callback, hook));
        Assert.DoesNotContain("watcher.OnTrainEpochEnd", calls);
        Assert.Equal(["thrower.OnException", "watcher.OnException"], calls.Where(c => c.EndsWith(".OnException", StringComparison.Ordinal)));
        Assert.Equal(0, trainer.CurrentEpoch);
        Assert.Equal(2, trainer.GlobalStep); // 32 samples in batches of 16
    }

    /// <summary>Records every hook as "name.Hook"; optionally throws in one hook or runs a nested call in OnValidationEpochEnd.</summary>
    private sealed class Recorder(string name, List<string> calls) : Callback
    {
        public (string Hook, Exception Error)? Throws { get; init; }

        public Action? Nested { get; init; }

        public override string StateKey => name;

        private void Record(string hook)
        {
            calls.Add($"{name}.{hook}");
            if (Throws is { } failure && failure.Hook == hook)
            {
                throw failure.Error;
            }
        }

        public override void OnFitStart(CallbackContext context) => Record(nameof(OnFitStart));

        public override void OnFitEnd(CallbackContext context) => Record(nameof(OnFitEnd));

        public override void OnTrainEpochStart(CallbackContext context) => Record(nameof(OnTrainEpochStart));

        public override void OnTrainEpochEnd(CallbackContext context) => Record(nameof(OnTrainEpochEnd));

        public override void OnTrainBatchStart(CallbackContext context, int batchIndex) => Record(nameof(OnTrainBatchStart));

        public override void OnTrainBatchEnd(CallbackContext context, int batchIndex) => Record(nameof(OnTrainBatchEnd));

        public override void OnBeforeBackward(CallbackContext context, Tensor loss) => Record(nameof(OnBeforeBackward));

        public override void OnAfterBackward(CallbackContext context) => Record(nameof(OnAfterBackward));

        public override void OnBeforeOptimizerStep(CallbackContext context, optim.Optimizer optimizer) => Record(nameof(OnBeforeOptimizerStep));

        public override void OnValidationEpochStart(CallbackContext context) => Record(nameof(OnValidationEpochStart));

        public override void OnValidationEpochEnd(CallbackContext context)
        {
            Record(nameof(OnValidationEpochEnd));
            Nested?.Invoke();
        }

        public override void OnValidationBatchStart(CallbackContext context, int batchIndex) => Record(nameof(OnValidationBatchStart));

        public override void OnValidationBatchEnd(CallbackContext context, int batchIndex) => Record(nameof(OnValidationBatchEnd));

        public override void OnTestStart(CallbackContext context) => Record(nameof(OnTestStart));

        public override void OnTestEnd(CallbackContext context) => Record(nameof(OnTestEnd));

        public override void OnTestBatchStart(CallbackContext context, int batchIndex) => Record(nameof(OnTestBatchStart));

        public override void OnTestBatchEnd(CallbackContext context, int batchIndex) => Record(nameof(OnTestBatchEnd));

        public override void OnSaveCheckpoint(CallbackContext context, string path) => Record(nameof(OnSaveCheckpoint));

        public override void OnLoadCheckpoint(CallbackContext context, string path) => Record(nameof(OnLoadCheckpoint));

        public override void OnException(CallbackContext context, Exception exception) => Record(nameof(OnException));

        public override void SaveState(Utf8JsonWriter writer) => writer.WriteString("name", name);

        public override void LoadState(JsonElement state) => calls.Add($"{name}.LoadState({state.GetProperty("name").GetString()})");
    }
}
