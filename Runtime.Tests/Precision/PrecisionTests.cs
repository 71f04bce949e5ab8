using System;
using System.IO;
using System.Linq;
using TorchSharp;
using Volt.Callbacks;
using Volt.Checkpoints;
using Volt.Precision;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Precision;

/// <summary>Mixed and true precision on the CPU, and the grad scaler's arithmetic.</summary>
public sealed class PrecisionTests() : TrainingTest(samples: 64)
{
    private (DtypeProbe Module, Trainer Trainer) Fit(TrainerOptions options, int throwOnBatch = -1, Callback[]? callbacks = null)
    {
        var module = new DtypeProbe(throwOnBatch);
        using var train = TestData.Loader(X, Y, 16, shuffle: false);
        using var validation = TestData.Loader(X, Y, 32, shuffle: false);
        var trainer = new Trainer(options with { EnableCheckpointing = false, NumSanityValSteps = 0 }, callbacks: callbacks ?? []);
        trainer.Fit(module, train, validation);
        return (module, trainer);
    }

    [Fact]
    public void Bf16MixedRunsMatmulsInBfloat16WhileParametersAndGradientsStayFloat32()
    {
        var (module, _) = Fit(Root.Options(1) with { Precision = "bf16-mixed" });
        using (module)
        {
            Assert.All(module.TrainingOutputDtypes, d => Assert.Equal(ScalarType.BFloat16, d));
            Assert.All(module.ValidationOutputDtypes, d => Assert.Equal(ScalarType.BFloat16, d));
            Assert.All(module.ParameterDtypes, d => Assert.Equal(ScalarType.Float32, d));
            Assert.Equal(ScalarType.Float32, module.Weight.grad!.dtype);
            Assert.False(MixedPrecision.State(DeviceType.CPU).Enabled);
        }
    }

    [Fact]
    public void FullPrecisionStaysFloat32()
    {
        var (module, _) = Fit(Root.Options(1));
        using (module)
        {
            Assert.All(module.TrainingOutputDtypes, d => Assert.Equal(ScalarType.Float32, d));
        }
    }

    [Fact]
    public void AutocastIsOffBetweenValidationAndTrainingAndAfterAnException()
    {
        var probe = new AutocastProbe();
        var (module, _) = Fit(Root.Options(2) with { Precision = "bf16-mixed" }, callbacks: [probe]);
        module.Dispose();
        Assert.NotEmpty(probe.StatesOutsideSteps);
        Assert.All(probe.StatesOutsideSteps, enabled => Assert.False(enabled));

        var error = Assert.Throws<InvalidOperationException>(() => Fit(Root.Options(1) with { Precision = "bf16-mixed" }, throwOnBatch: 2));
        Assert.Contains("injected", error.Message);
        var (enabled, dtype) = MixedPrecision.State(DeviceType.CPU);
        Assert.False(enabled);
        Assert.Equal(ScalarType.BFloat16, dtype); // libtorch's CPU default autocast dtype, as before
    }

    [Fact]
    public void TruePrecisionCastsParametersAndInputs()
    {
        var (module, _) = Fit(Root.Options(1) with { Precision = "bf16-true" });
        using (module)
        {
            Assert.All(module.ParameterDtypes, d => Assert.Equal(ScalarType.BFloat16, d));
            Assert.All(module.InputDtypes, d => Assert.Equal(ScalarType.BFloat16, d));
        }
    }

    [Fact]
    public void DoublePrecisionFromLightningsAlias64CastsParametersAndInputsToFloat64()
    {
        var (module, trainer) = Fit(Root.Options(1) with { Precision = "64" });
        using (module)
        {
            Assert.Equal("64-true", trainer.Options.Precision);
            Assert.NotEmpty(module.ParameterDtypes);
            Assert.All(module.ParameterDtypes, d => Assert.Equal(ScalarType.Float64, d));
            Assert.All(module.InputDtypes, d => Assert.Equal(ScalarType.Float64, d));
        }
    }

    [Theory]
    [InlineData("bf16", "bf16-mixed")]
    [InlineData("32", "32-true")]
    [InlineData("64", "64-true")]
    public void CreateAcceptsLightningsAliases(string alias, string canonical)
    {
        Assert.Equal(canonical, PrecisionPlugin.Create(alias, CPU).Name);
    }

    [Fact]
    public void PrecisionsTheDeviceCannotDoFailBeforeTraining()
    {
        var unknown = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { Precision = "fp8" }));
        Assert.Contains("Precision", unknown.Message);
        Assert.Contains("bf16-mixed", unknown.Message);

        var module = new DtypeProbe();
        using var train = TestData.Loader(X, Y, 16, shuffle: false);
        var trainer = new Trainer(Root.Options(1) with { Precision = "16-mixed" });
        var cpu = Assert.Throws<ArgumentException>(() => trainer.Fit(module, train));
        Assert.Contains("16-mixed", cpu.Message);
        Assert.Contains("32-true, bf16-mixed, bf16-true, 16-true", cpu.Message);
        Assert.Empty(module.TrainingOutputDtypes);

        var alias = Assert.Throws<ArgumentException>(() => new Trainer(Root.Options(1) with { Precision = "16" }, console: TextWriter.Null).Fit(module, train));
        Assert.Contains("\"16-mixed\" needs a CUDA device", alias.Message);
        Assert.Empty(module.TrainingOutputDtypes);
    }

    [Fact]
    public void ScalerScalesUnscalesOnceAndSkipsNonFiniteSteps()
    {
        using var parameter = new TorchSharp.Modules.Parameter(ones(2));
        using var optimizer = optim.SGD([parameter], 1.0);
        var scaler = new GradScaler(initScale: 8, growthInterval: 2);

        using (var loss = parameter.sum())
        using (var scaled = scaler.ScaleLoss(loss))
        {
            Assert.Equal(16.0, scaled.ToDouble());
            scaled.backward();
        }

        Assert.Equal([8f, 8f], parameter.grad!.data<float>().ToArray());
        scaler.Unscale(optimizer);
        scaler.Unscale(optimizer); // once per iteration only
        Assert.Equal([1f, 1f], parameter.grad!.data<float>().ToArray());
        Assert.True(scaler.Step(optimizer));
        scaler.Update();
        Assert.Equal([0f, 0f], parameter.data<float>().ToArray());

        // An infinite gradient: the step is skipped and the scale backs off.
        parameter.grad!.fill_(float.PositiveInfinity);
        Assert.False(scaler.Step(optimizer));
        scaler.Update();
        Assert.Equal([0f, 0f], parameter.data<float>().ToArray());
        Assert.Equal(4.0, scaler.Scale);
        Assert.Equal(1, scaler.SkippedSteps);

        // Two good iterations in a row: the scale grows by 2.
        for (var i = 0; i < 2; i++)
        {
            parameter.grad!.fill_(0);
            Assert.True(scaler.Step(optimizer));
            scaler.Update();
        }

        Assert.Equal(8.0, scaler.Scale);
        Assert.Equal(0, scaler.GrowthTracker);
    }

    [Fact]
    public void ScalerInTheLoopSkipsInjectedInfinitiesAndRoundTripsThroughACheckpoint()
    {
        var scaler = new GradScaler(initScale: 1024, growthInterval: 3);
        var directory = Path.Combine(Root.Path, "ckpt");
        var injector = new InfinityInjector(atStep: 1);
        Seeding.SeedEverything(4);
        var module = new DtypeProbe();
        using var train = TestData.Loader(X, Y, 16, shuffle: false);
        var trainer = new Trainer(Root.Options(2), callbacks: [injector, new ModelCheckpoint { DirPath = directory, EveryNTrainSteps = 4, SaveTopK = 0 }])
        {
            PrecisionFactory = _ => new MixedPrecision("16-mixed (CPU test)", DeviceType.CPU, ScalarType.BFloat16, scaler),
        };
        trainer.Fit(module, train);

        // 8 iterations: the second had an infinite gradient (skipped, 1024 → 512); then 6 good ones grow it twice.
        Assert.Equal(1, scaler.SkippedSteps);
        Assert.Equal(512.0 * 4, scaler.Scale);
        Assert.True(injector.WeightsUnchangedBySkippedStep);

        using (var checkpoint = CheckpointReader.Open(Path.Combine(directory, "last.ckpt")))
        {
            var saved = checkpoint.Root.GetProperty("precision").GetProperty("scaler");
            Assert.Equal(512.0 * 4, saved.GetProperty("scale").GetDouble());
        }

        var restored = new GradScaler();
        var resumed = new Trainer(Root.Options(3), callbacks: [new ScaleAtStart(restored, out var seen)])
        {
            PrecisionFactory = _ => new MixedPrecision("16-mixed (CPU test)", DeviceType.CPU, ScalarType.BFloat16, restored),
        };
        resumed.Fit(module, train, ckptPath: Path.Combine(directory, "last.ckpt"));
        Assert.Equal(512.0 * 4, seen.Value);
        Assert.Equal(1, restored.SkippedSteps);
        module.Dispose();
    }

    private sealed class AutocastProbe : Callback
    {
        public System.Collections.Generic.List<bool> StatesOutsideSteps { get; } = [];

        public override void OnValidationEpochEnd(CallbackContext context) => StatesOutsideSteps.Add(MixedPrecision.State(DeviceType.CPU).Enabled);

        public override void OnTrainBatchStart(CallbackContext context, int batchIndex) => StatesOutsideSteps.Add(MixedPrecision.State(DeviceType.CPU).Enabled);

        public override void OnBeforeOptimizerStep(CallbackContext context, optim.Optimizer optimizer) => StatesOutsideSteps.Add(MixedPrecision.State(DeviceType.CPU).Enabled);
    }

    private sealed class InfinityInjector(long atStep) : Callback
    {
        private Tensor? before;

        public bool WeightsUnchangedBySkippedStep { get; private set; }

        public override void OnAfterBackward(CallbackContext context)
        {
            if (context.GlobalStep == atStep)
            {
                var module = (DtypeProbe)context.Module.Module;
                before = module.Weight.detach().clone().DetachFromDisposeScope();
                module.Weight.grad!.fill_(float.PositiveInfinity);
            }
        }

        public override void OnTrainBatchEnd(CallbackContext context, int batchIndex)
        {
            if (before is not null)
            {
                WeightsUnchangedBySkippedStep = ((DtypeProbe)context.Module.Module).Weight.allclose(before, rtol: 0, atol: 0);
                before.Dispose();
                before = null;
            }
        }
    }

    private sealed class ScaleAtStart : Callback
    {
        private readonly GradScaler scaler;
        private readonly StrongBox seen;

        public ScaleAtStart(GradScaler scaler, out StrongBox seen)
        {
            this.scaler = scaler;
            this.seen = seen = new StrongBox();
        }

        public override void OnFitStart(CallbackContext context) => seen.Value = scaler.Scale;
    }

    private sealed class StrongBox
    {
        public double Value { get; set; }
    }
}
