using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Volt.Runtime.Tests.Training;
using Volt.Tuning;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Tuning;

public sealed class BatchSizeFinderTests(ITestOutputHelper output) : IDisposable
{
    private const int Width = 2048;

    private readonly TempRoot root = new();

    private TrainerOptions Options => TuningData.QuietOptions(root);

    [Fact]
    public void Power_mode_doubles_until_a_size_fails_and_keeps_the_last_that_fit()
    {
        var tried = new List<int>();
        var size = BatchSizeSearch.Run(BatchSizeScalingMode.Power, Fits(tried, 40), () => 10_000, initVal: 2, maxTrials: 25, margin: 0.05, maxVal: 8192);

        Assert.Equal(32, size);
        Assert.Equal([2, 4, 8, 16, 32, 64], tried);
    }

    [Fact]
    public void Binary_search_narrows_between_the_last_fit_and_the_first_failure_then_takes_off_the_margin()
    {
        var tried = new List<int>();
        var size = BatchSizeSearch.Run(BatchSizeScalingMode.BinarySearch, Fits(tried, 40), () => 10_000, initVal: 2, maxTrials: 25, margin: 0.05, maxVal: 8192);

        Assert.Equal([2, 4, 8, 16, 32, 64, 48, 40, 44, 42, 41], tried);
        Assert.Equal((int)(40 * 0.95), size);
    }

    [Fact]
    public void Search_stops_at_max_val_and_at_the_data_set_size_and_fails_when_nothing_fits()
    {
        var tried = new List<int>();
        Assert.Equal(50, BatchSizeSearch.Run(BatchSizeScalingMode.Power, Fits(tried, int.MaxValue), () => 10_000, 2, 25, 0, maxVal: 50));
        Assert.Equal([2, 4, 8, 16, 32, 50], tried);

        tried.Clear();
        Assert.Equal(20, BatchSizeSearch.Run(BatchSizeScalingMode.BinarySearch, Fits(tried, int.MaxValue), () => 20, 2, 25, 0, 8192));
        Assert.Equal([2, 4, 8, 16, 20], tried);

        tried.Clear();
        Assert.Equal(3, BatchSizeSearch.Run(BatchSizeScalingMode.Power, Fits(tried, 3), () => 10_000, initVal: 12, 25, 0, 8192));
        Assert.Equal([12, 6, 3, 6], tried);

        Assert.Throws<InvalidOperationException>(() => BatchSizeSearch.Run(BatchSizeScalingMode.Power, Fits([], 0), () => 10_000, 4, 25, 0, 8192));
        Assert.Throws<InvalidOperationException>(() => BatchSizeSearch.Run(BatchSizeScalingMode.BinarySearch, Fits([], 0), () => 10_000, 4, 25, 0, 8192));
    }

    [Theory]
    [InlineData(BatchSizeScalingMode.Power)]
    [InlineData(BatchSizeScalingMode.BinarySearch)]
    public void Finder_hits_the_cpu_memory_limit_and_backs_off(BatchSizeScalingMode mode)
    {
        using var data = TuningData.Linear(256, batchSize: 8);
        using var module = new WideRegression(Width);
        using var before = new StateCopy(module);

        // A step holds two batch × Width float32 activations, 8·Width bytes per sample, on top of the parameters
        // and their gradients; so no batch above (limit − parameters − gradients) / (8·Width) = 43 samples can fit.
        const long limit = 800_000;
        const long perSample = 8L * Width;
        var parametersAndGradients = 2L * 4 * ((3 * Width) + Width + Width + 1);
        var largestPossible = (int)((limit - parametersAndGradients) / perSample);

        var result = new Tuner(new Trainer(Options, console: TextWriter.Null)).ScaleBatchSize(
            module, size => data.Loader(size), mode, memoryLimitBytes: limit);

        output.WriteLine(string.Join(", ", result.Trials.Select(t => $"{t.BatchSize}:{(t.Fits ? "fit" : "failed")}:{t.PeakStepBytes}")) + $" -> {result.BatchSize}");
        var fit = result.Trials.Where(t => t.Fits).ToList();
        var failed = result.Trials.Where(t => !t.Fits).ToList();
        Assert.NotEmpty(failed);
        Assert.All(fit, t => Assert.True(t.PeakStepBytes <= limit, $"{t.BatchSize} fit with {t.PeakStepBytes} bytes"));
        Assert.All(failed, t => Assert.True(t.PeakStepBytes > limit && t.Failure!.Contains("memory limit", StringComparison.Ordinal), $"{t.BatchSize}: {t.Failure}"));
        Assert.All(fit, t => Assert.True(t.BatchSize <= largestPossible, $"{t.BatchSize} cannot fit in {limit} bytes"));
        if (mode == BatchSizeScalingMode.Power)
        {
            Assert.Equal(32, result.BatchSize);
            Assert.Equal([2, 4, 8, 16, 32, 64], result.Trials.Select(t => t.BatchSize));
        }
        else
        {
            // The search ends on a size that fit next to one that failed, and takes the 5 % margin off it.
            var largestFit = fit.Max(t => t.BatchSize);
            Assert.InRange(largestFit, 32, largestPossible);
            Assert.Contains(failed, t => t.BatchSize == largestFit + 1);
            Assert.Equal((int)(largestFit * 0.95), result.BatchSize);
        }

        Assert.Empty(before.Compare(module).ChangedTensors);
        Assert.Contains(64L, module.BatchSizes);
    }

    [Fact]
    public void A_factory_that_ignores_the_batch_size_is_named()
    {
        using var data = TuningData.Linear(64, batchSize: 8);
        using var module = new WideRegression(16);

        var error = Assert.Throws<InvalidOperationException>(() => new Tuner(new Trainer(Options, console: TextWriter.Null))
            .ScaleBatchSize(module, _ => data.Loader(16)));

        Assert.Contains("batch size 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Out_of_memory_errors_are_told_from_other_errors()
    {
        Assert.True(OutOfMemory.IsOutOfMemory(new ExternalException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 7.79 GiB total capacity)")));
        Assert.True(OutOfMemory.IsOutOfMemory(new ExternalException("cuDNN error: CUDNN_STATUS_NOT_SUPPORTED. This error may appear if you passed in a non-contiguous input.")));
        Assert.True(OutOfMemory.IsOutOfMemory(new ExternalException("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't allocate memory: you tried to allocate 80000000000 bytes.")));
        Assert.True(OutOfMemory.IsOutOfMemory(new TensorMemoryLimitExceededException(2, 1)));
        Assert.False(OutOfMemory.IsOutOfMemory(new ExternalException("mat1 and mat2 shapes cannot be multiplied (4x3 and 4x1)")));
        Assert.False(OutOfMemory.IsOutOfMemory(new InvalidOperationException("CUDA out of memory")));
    }

    [Fact]
    public void Step_measure_counts_the_scopes_tensors_and_the_parameters_with_their_gradients()
    {
        using var layer = nn.Linear(3, 2);
        using var scope = NewDisposeScope();
        var activations = zeros(10, 100);
        _ = zeros([5], dtype: ScalarType.Float64);
        var parameters = 4L * ((3 * 2) + 2);

        Assert.Equal((10 * 100 * 4) + (5 * 8) + parameters, StepTensorBytes.Measure(layer));

        activations.Dispose();
        var loss = layer.forward(ones(4, 3)).sum();
        loss.backward();
        var extra = (4 * 3 * 4) + (4 * 2 * 4) + 4; // the input, the layer's output and the loss
        Assert.Equal((5 * 8) + extra + (2 * parameters), StepTensorBytes.Measure(layer));
    }

    private static Func<int, bool> Fits(List<int> tried, int largest) => size =>
    {
        tried.Add(size);
        return size <= largest;
    };

    public void Dispose() => root.Dispose();
}
