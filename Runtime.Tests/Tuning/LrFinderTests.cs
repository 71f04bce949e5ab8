using System;
using System.IO;
using System.Linq;
using SkiaSharp;
using Xunit.Abstractions;
using Volt.Runtime.Tests.Training;
using Volt.Tuning;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Tuning;

public sealed class LrFinderTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempRoot root = new();

    private TrainerOptions Options => TuningData.QuietOptions(root);

    [Fact]
    public void Suggestion_is_within_a_factor_of_3_of_the_best_rate_of_a_fine_grid_search()
    {
        using var data = TuningData.DeepLinear(64, batchSize: 64);
        var train = data.Train;

        using var module = new DeepLinearRegression();
        var result = new Tuner(new Trainer(Options, console: TextWriter.Null)).LrFind(module, train);
        Assert.NotNull(result.Suggestion);

        // The grid: 10 rates per decade from 1e-3 to 1, each trained 50 full-batch steps from the same start
        // (the largest rates diverge on purpose, so the grid trains on through non-finite losses).
        var grid = Enumerable.Range(0, 31).Select(i => Math.Pow(10, -3 + (i / 10.0))).ToArray();
        var finalLosses = grid.Select(lr =>
        {
            using var candidate = new DeepLinearRegression(learningRate: lr);
            new Trainer(Options with { MaxEpochs = null, MaxSteps = 50, StopOnNonFiniteLoss = false }, console: TextWriter.Null).Fit(candidate, train);
            var loss = candidate.Loss(data.X, data.Y);
            return double.IsFinite(loss) ? loss : double.PositiveInfinity;
        }).ToArray();
        var best = grid[Array.IndexOf(finalLosses, finalLosses.Min())];

        var ratio = result.Suggestion!.Value / best;
        output.WriteLine($"suggestion {result.Suggestion:G3} after {result.Lrs.Count} steps, grid best {best:G3}, ratio {ratio:G3}");
        Assert.True(ratio is > 1.0 / 3 and < 3, $"suggestion {result.Suggestion:G3}, grid best {best:G3} (ratio {ratio:G3})");
    }

    [Theory]
    [InlineData(LrFinderMode.Exponential)]
    [InlineData(LrFinderMode.Linear)]
    public void Each_step_runs_at_the_sweeps_rate_as_Lightning_schedules_it(LrFinderMode mode)
    {
        using var data = TuningData.Linear(40, batchSize: 8);
        var train = data.Train;
        using var module = new DropoutRegression(learningRate: 0.123);

        const int steps = 20;
        var result = new Tuner(new Trainer(Options, console: TextWriter.Null)).LrFind(module, train, minLr: 1e-4, maxLr: 1e-1, numTraining: steps, mode: mode, earlyStopThreshold: null);

        double Expected(int k)
        {
            var fraction = k == 0 ? 0 : (k + 1) / (double)steps;
            return mode == LrFinderMode.Exponential ? 1e-4 * Math.Pow(1e-1 / 1e-4, fraction) : 1e-4 + (fraction * (1e-1 - 1e-4));
        }

        Assert.Equal(steps, result.Lrs.Count);
        for (var k = 0; k < steps; k++)
        {
            Assert.True(Math.Abs(result.Lrs[k] - Expected(k)) <= 1e-12 * Expected(k), $"step {k}: {result.Lrs[k]} != {Expected(k)}");
        }

        Assert.True(Math.Abs(result.Lrs[^1] - 1e-1) < 1e-12);

        // The optimizer really ran at those rates: step k + 1 starts with the rate step k was given; step 0 with the module's own.
        Assert.Equal(0.123, module.RatesAtStepStart[0]);
        for (var k = 0; k < steps - 1; k++)
        {
            Assert.Equal(result.Lrs[k], module.RatesAtStepStart[k + 1]);
        }
    }

    [Fact]
    public void A_diverging_loss_stops_the_sweep_early()
    {
        using var data = TuningData.Linear(64, batchSize: 16);
        var train = data.Train;
        using var module = new Regression();

        var result = new Tuner(new Trainer(Options, console: TextWriter.Null)).LrFind(module, train, minLr: 1e-3, maxLr: 1e3, numTraining: 100);

        Assert.True(result.StoppedEarly);
        Assert.True(result.Lrs.Count < 100, $"ran {result.Lrs.Count} steps");
        var last = result.Losses[^1];
        Assert.True(!double.IsFinite(last) || last > 4 * result.Losses.Take(result.Losses.Count - 1).Min(), $"last smoothed loss {last}");
        Assert.True(result.Lrs[^1] < 1e3);
    }

    [Fact]
    public void Suggestion_takes_the_steepest_descent_after_skipping_ten_points_and_the_last()
    {
        // Evenly spaced rates; the loss steps down from 10 to 3 to 2 between indices 13 and 15, with a deeper dip
        // at index 3 (inside the skipped start), a cliff at the last point (skipped) and a NaN at 15 (dropped).
        var lrs = Enumerable.Range(1, 20).Select(i => i * 0.01).ToArray();
        var losses = Enumerable.Range(0, 20).Select(i => i <= 13 ? 10.0 : 2.0).ToArray();
        losses[14] = 3;
        losses[3] = -100;
        losses[19] = -1000;
        losses[15] = double.NaN;
        var result = new LrFinderResult(LrFinderMode.Linear, 0.01, 0.2, 20, lrs, losses, stopReason: null);

        // Kept: 10..18 without 15. At 14 (neighbours 13 and 16) the slope is -29/6 per step, at 13 only -3.5;
        // had the NaN been kept, 14 would have had no slope and 13 would win.
        Assert.Equal(14, result.SuggestionIndex);
        Assert.Equal(lrs[14], result.Suggestion);
        Assert.Equal(2, result.SuggestIndex(skipBegin: 0));
        Assert.Equal(19, result.SuggestIndex(skipEnd: 0));
        Assert.Null(new LrFinderResult(LrFinderMode.Linear, 0.01, 0.12, 12, lrs[..12], losses[..12], stopReason: null).Suggestion);
    }

    [Fact]
    public void Gradient_matches_the_exact_derivative_of_a_quadratic_on_an_uneven_grid()
    {
        double[] x = [0.1, 0.3, 0.35, 0.9, 2.0];
        var y = x.Select(v => (3 * v * v) - v).ToArray();

        var gradient = NonUniformGradient.Compute(y, x);

        // Second-order central differences are exact for a quadratic; the ends are one-sided secants.
        for (var i = 1; i < x.Length - 1; i++)
        {
            Assert.True(Math.Abs(gradient[i] - ((6 * x[i]) - 1)) < 1e-12, $"at {x[i]}: {gradient[i]}");
        }

        Assert.True(Math.Abs(gradient[0] - ((y[1] - y[0]) / (x[1] - x[0]))) < 1e-12);
        Assert.True(Math.Abs(gradient[^1] - ((y[^1] - y[^2]) / (x[^1] - x[^2]))) < 1e-12);
    }

    [Fact]
    public void Plot_writes_a_png_of_the_requested_size()
    {
        var lrs = Enumerable.Range(0, 40).Select(k => 1e-5 * Math.Pow(1e5, k / 39.0)).ToArray();
        var losses = lrs.Select(lr => 2 - Math.Tanh(Math.Log10(lr) + 2) + (lr > 0.3 ? 5 : 0)).ToArray();
        var result = new LrFinderResult(LrFinderMode.Exponential, 1e-5, 1, 40, lrs, losses, stopReason: null);
        var path = Path.Combine(root.Path, "plots", "lr_find.png");

        result.Plot(path, width: 640, height: 480);

        using var image = SKBitmap.Decode(path);
        Assert.NotNull(image);
        Assert.Equal(640, image.Width);
        Assert.Equal(480, image.Height);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Theory]
    [InlineData(0.0, 1.0, 100, "minLr")]
    [InlineData(1e-3, 1e-3, 100, "maxLr")]
    [InlineData(1e-3, double.PositiveInfinity, 100, "maxLr")]
    [InlineData(1e-3, 1.0, 0, "numTraining")]
    public void Bad_arguments_are_named(double minLr, double maxLr, int numTraining, string culprit)
    {
        using var data = TuningData.Linear(16, batchSize: 8);
        var train = data.Train;
        using var module = new Regression();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Tuner(new Trainer(Options, console: TextWriter.Null)).LrFind(module, train, minLr, maxLr, numTraining));
        Assert.Equal(culprit, error.ParamName);
    }

    public void Dispose() => root.Dispose();
}
