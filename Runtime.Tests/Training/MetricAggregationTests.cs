using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>Log's per-phase defaults and epoch reductions, checked against values computed by hand.</summary>
public sealed class MetricAggregationTests : IDisposable
{
    private readonly TempRoot root = new();

    // Ten samples with values 0..9 in batches of 4, 4 and 2.
    private readonly Tensor x = arange(10, ScalarType.Float32).reshape(10, 1);
    private readonly Tensor y = zeros(10, 1);

    [Fact]
    public void ValidationEpochMeanIsWeightedByBatchSize()
    {
        using var module = new MetricProbe();
        using var loader = TestData.Loader(x, y, batchSize: 4, shuffle: false);
        var metrics = new Trainer(root.Options(maxEpochs: 1)).Validate(module, loader);

        // Batch means 1.5, 5.5, 8.5 with weights 4, 4, 2: (6 + 22 + 17) / 10 = 4.5, the mean of 0..9.
        Assert.Equal(4.5, metrics["x_mean"], 1e-6);

        // With batchSize: 1 every batch weighs the same: (1.5 + 5.5 + 8.5) / 3.
        Assert.Equal((1.5 + 5.5 + 8.5) / 3, metrics["x_mean_unweighted"], 1e-6);
        Assert.Equal(9.0, metrics["x_max"]);
        Assert.Equal(3.0, metrics["batches"]);
    }

    [Fact]
    public void PlainNumbersAreWeightedByBatchSizeInAnyOrder()
    {
        using var module = new NumberProbe();
        using var loader = TestData.Loader(x, y, batchSize: 4, shuffle: false);
        var metrics = new Trainer(root.Options(maxEpochs: 1)).Validate(module, loader);

        // Values 1, 2, 3 over batches of 4, 4, 2: (4 + 8 + 6) / 10 = 1.8 in Lightning 2.2.5, not the plain mean 2.0.
        Assert.Equal(1.8, metrics["before_tensor"], 1e-12);
        Assert.Equal(1.8, metrics["after_tensor"], 1e-12);
        Assert.Equal(2.0, metrics["explicit_one"], 1e-12);
    }

    [Fact]
    public void TrainingDefaultsLogPerStepAndForkStepAndEpochNames()
    {
        using var module = new MetricProbe();
        using var loader = TestData.Loader(x, y, batchSize: 4, shuffle: false);
        var trainer = new Trainer(root.Options(maxEpochs: 1));
        trainer.Fit(module, loader);
        var metrics = trainer.CallbackMetrics;

        // Training defaults to on_step=True, on_epoch=False: the last step's value is kept.
        Assert.Equal(2.0, metrics["step_only"]);

        // onEpoch with tensor values: the weighted epoch mean.
        Assert.Equal(4.5, metrics["epoch_mean"], 1e-6);

        // onStep and onEpoch together fork the name like Lightning: both_step keeps the last step, both_epoch
        // and the plain name hold the epoch mean of 0, 1, 2 weighted 4, 4, 2.
        Assert.Equal(2.0, metrics["both_step"]);
        Assert.Equal((0 * 4 + 1 * 4 + 2 * 2) / 10.0, metrics["both_epoch"], 1e-6);
        Assert.Equal(metrics["both_epoch"], metrics["both"]);
    }

    [Fact]
    public void LogOutsideAPhaseNamesTheMetric()
    {
        using var module = new MetricProbe();
        var error = Assert.Throws<InvalidOperationException>(() => module.Log("loose", 1.0));
        Assert.Contains("loose", error.Message);
    }

    [Fact]
    public void MetricsCsvHoldsEpochValues()
    {
        using var module = new MetricProbe();
        using var loader = TestData.Loader(x, y, batchSize: 4, shuffle: false);
        var trainer = new Trainer(root.Options(maxEpochs: 2));
        trainer.Fit(module, loader);
        var lines = System.IO.File.ReadAllLines(System.IO.Path.Combine(trainer.LogDir!, "metrics.csv"));
        var header = lines[0].Split(',');
        Assert.Contains("epoch_mean", header);
        Assert.Contains("epoch", header);
        var column = Array.IndexOf(header, "epoch_mean");
        var values = lines.Skip(1).Select(l => l.Split(',')[column]).Where(v => v.Length > 0).ToList();
        Assert.Equal(2, values.Count);
        Assert.All(values, v => Assert.Equal(4.5, double.Parse(v, System.Globalization.CultureInfo.InvariantCulture), 1e-6));
    }

    public void Dispose()
    {
        x.Dispose();
        y.Dispose();
        root.Dispose();
    }
}
