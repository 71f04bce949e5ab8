using System;
using System.Collections.Generic;
using Volt.Callbacks;
using Volt.Logging;
using Volt.Loops;
using Volt.Precision;
using Volt.Profiling;
using Volt.Runtime.Tests.Training;
using Volt.Strategies;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Profiling;

/// <summary>
/// The profiler's timing points on the per-step path allocate nothing: the generated loops' scopes
/// (a struct), the callback hooks through the dispatcher, with the profiler off and on. Measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around many steps; a control boxing the scope shows
/// the measurement sees a per-step allocation.
/// </summary>
public sealed class ProfilerAllocationTests() : TrainingTest(samples: 8)
{
    private const int Steps = 10_000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheTimingPointsOfAStepAllocateNothing(bool profiling)
    {
        using var module = new Regression();
        using var data = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        using var strategy = new SingleDeviceStrategy(CPU);
        var context = Context(module, strategy, profiling ? new SimpleProfiler("fit", "Regression") : null);
        using var fit = new FitLoop<XYBatch>(context, data);
        using var validation = new EvaluationLoop<XYBatch>(context, data, RunPhase.Validation, BatchLimit.All, insideFit: true);
        using var predict = new PredictLoop<XYBatch, Tensor>(context, data);

        void Step(int batchIndex)
        {
            context.Hooks.OnTrainBatchStart(batchIndex);
            using (fit.Profile(ProfiledAction.TransferToDevice))
            {
            }

            using (fit.Profile(ProfiledAction.TrainingStep))
            {
            }

            context.Hooks.OnBeforeBackward(null!);
            using (fit.Profile(ProfiledAction.Backward))
            {
            }

            context.Hooks.OnAfterBackward();
            using (fit.Profile(ProfiledAction.OptimizerStep))
            {
                context.Hooks.OnBeforeOptimizerStep(null!);
            }

            context.Hooks.OnTrainBatchEnd(batchIndex);
            using (validation.Profile(ProfiledAction.ValidationStep))
            {
            }

            using (predict.Profile(ProfiledAction.PredictStep))
            {
            }
        }

        // First calls: JIT and tiering, and the profiler's first entry per callback hook.
        for (var i = 0; i < 1_000; i++)
        {
            Step(i);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Steps; i++)
        {
            Step(i);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (profiling)
        {
            // On, nothing per step either; the runtime's own one-off work (tiering) may land in the window, so less than a byte a step.
            Assert.True(allocated < Steps, $"{allocated} bytes over {Steps} steps with the profiler on");
        }
        else
        {
            Assert.Equal(0, allocated);
        }
    }

    /// <summary>The check can fail: the same scope boxed to IDisposable (what an interface-returning API would do) allocates every step.</summary>
    [Fact]
    public void ControlABoxedScopeAllocatesEveryStep()
    {
        using var module = new Regression();
        using var data = TestData.Loader(X, Y, batchSize: 4, shuffle: false);
        using var strategy = new SingleDeviceStrategy(CPU);
        using var fit = new FitLoop<XYBatch>(Context(module, strategy, profiler: null), data);
        var kept = new IDisposable[1];

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Steps; i++)
        {
            kept[0] = fit.Profile(ProfiledAction.Backward);
            kept[0].Dispose();
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before >= Steps * 16L);
    }

    private static RunContext Context(Regression module, Strategy strategy, SimpleProfiler? profiler)
        => new(
            new TrainerOptions(),
            strategy,
            PrecisionPlugin.Create("32-true", CPU),
            module,
            shuffleSeed: 0,
            loggers: [],
            new SilentProgress(),
            new Dictionary<string, double>(),
            callbacks: [new Quiet(), new Quiet { Key = "second" }],
            logDir: null,
            new LoopProgress(),
            profiler);

    /// <summary>A callback with every hook left empty: what the dispatcher costs, not what a callback does.</summary>
    private sealed class Quiet : Callback
    {
        public string Key { get; init; } = "first";

        public override string StateKey => Key;
    }
}
