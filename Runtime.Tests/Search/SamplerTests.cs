using System;
using System.Collections.Generic;
using System.Linq;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;

namespace Volt.Runtime.Tests.Search;

public sealed class SamplerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    // A shifted, anisotropic bowl on [-5, 5]²: minimum 0 at (1.5, -2).
    private static double Bowl(Trial trial)
    {
        var x = trial.SuggestFloat("x", -5, 5);
        var y = trial.SuggestFloat("y", -5, 5);
        return ((x - 1.5) * (x - 1.5)) + (3 * (y + 2) * (y + 2));
    }

    private static double BestOf(ISampler sampler, int trials)
    {
        var study = new Study(new StudyOptions { Sampler = sampler, Pruner = new NopPruner() });
        study.Optimize(trials, Bowl);
        return study.BestTrial.Value!.Value;
    }

    [Fact]
    public void TpeBeatsRandomSearchOnATwoDimensionalObjectiveOverTwentySeeds()
    {
        const int Trials = 40;
        var tpe = Enumerable.Range(0, 20).Select(seed => BestOf(new TpeSampler(seed), Trials)).ToList();
        var random = Enumerable.Range(0, 20).Select(seed => BestOf(new RandomSampler(seed), Trials)).ToList();

        output.WriteLine($"mean best over 20 seeds, {Trials} trials: TPE {tpe.Average():G4}, random {random.Average():G4}");

        // TPE's first 10 trials are random too; the 30 guided ones must pay off on average.
        Assert.True(tpe.Average() < random.Average(), $"mean best: TPE {tpe.Average():G4}, random {random.Average():G4}");
        Assert.True(tpe.Average() < 0.5 * random.Average(), $"TPE should at least halve random's mean best: TPE {tpe.Average():G4}, random {random.Average():G4}");
    }

    [Fact]
    public void TpeSamplesRandomlyForTheStartupTrialsThenFromTheGoodGroup()
    {
        // With the same seed, TPE and random agree for the first 10 trials (Optuna's n_startup_trials).
        var tpe = new Study(new StudyOptions { Sampler = new TpeSampler(3), Pruner = new NopPruner() });
        var random = new Study(new StudyOptions { Sampler = new RandomSampler(3), Pruner = new NopPruner() });
        tpe.Optimize(12, Bowl);
        random.Optimize(12, Bowl);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal(random.Trials[i].InternalParams["x"], tpe.Trials[i].InternalParams["x"]);
        }

        Assert.NotEqual(random.Trials[10].InternalParams["x"], tpe.Trials[10].InternalParams["x"]);
    }

    [Fact]
    public void DefaultGammaAndWeightsAreOptunas()
    {
        Assert.Equal(1, TpeSampler.DefaultGamma(10));
        Assert.Equal(2, TpeSampler.DefaultGamma(11));
        Assert.Equal(25, TpeSampler.DefaultGamma(1000));
        Assert.All(TpeSampler.DefaultWeights(24), w => Assert.Equal(1.0, w));
        var weights = TpeSampler.DefaultWeights(30);
        Assert.Equal(30, weights.Length);
        Assert.True(Math.Abs(weights[0] - (1.0 / 30)) < 1e-12);
        Assert.True(Math.Abs(weights[4] - 1.0) < 1e-12);
        Assert.True(weights[1] > weights[0] && weights[2] > weights[1]);
    }

    [Fact]
    public void EverySamplerStaysInsideItsDistributions()
    {
        foreach (var sampler in new ISampler[] { new RandomSampler(1), new TpeSampler(1) })
        {
            var study = new Study(new StudyOptions { Sampler = sampler, Pruner = new NopPruner() });
            var seen = new HashSet<string>();
            study.Optimize(30, trial =>
            {
                var lr = trial.SuggestFloat("lr", 1e-5, 1e-1, log: true);
                var width = trial.SuggestInt("width", 16, 256, step: 16);
                var layers = trial.SuggestInt("layers", 1, 64, log: true);
                var momentum = trial.SuggestFloat("momentum", 0, 1, step: 0.25);
                var optimizer = trial.SuggestCategorical("optimizer", ["adam", "sgd", "rmsprop"]);
                Assert.InRange(lr, 1e-5, 1e-1);
                Assert.InRange(width, 16, 256);
                Assert.Equal(0, width % 16);
                Assert.InRange(layers, 1, 64);
                Assert.Contains(momentum, new[] { 0, 0.25, 0.5, 0.75, 1 });
                seen.Add(optimizer);
                Assert.Equal(lr, trial.SuggestFloat("lr", 1e-5, 1e-1, log: true));
                return Math.Log10(lr) + (width / 256.0) + (optimizer == "adam" ? 0 : 1);
            });
            Assert.Equal(3, seen.Count);
        }
    }

    [Fact]
    public void GridSamplerVisitsEveryPointOnceAndThenStops()
    {
        var space = new SearchSpace(
            new SearchParameter("depth", new IntDistribution(1, 3)),
            new SearchParameter("activation", new CategoricalDistribution(["relu", "tanh"])));
        var study = new Study(new StudyOptions { Sampler = new GridSampler(space), Pruner = new NopPruner() });
        var points = new List<(long, string)>();
        study.Optimize(100, trial =>
        {
            points.Add((trial.SuggestInt("depth", 1, 3), trial.SuggestCategorical("activation", new[] { "relu", "tanh" })));
            return points.Count;
        });

        Assert.Equal(6, points.Count);
        Assert.Equal(6, points.Distinct().Count());
        Assert.Equal(6, study.Trials.Count);
    }

    [Fact]
    public void GridSamplerRejectsAContinuousRange()
    {
        var error = Assert.Throws<ArgumentException>(() => new GridSampler(new SearchSpace(new SearchParameter("lr", new FloatDistribution(1e-5, 1e-1, Log: true)))));
        Assert.Contains("'lr'", error.Message);
    }

    [Fact]
    public void TruncatedNormalSamplesStayInBoundsAndMatchTheDensity()
    {
        var random = new Random(5);
        var samples = Enumerable.Range(0, 20_000).Select(_ => TruncatedNormal.Sample(random, 0.0, 1.0, 0.5, 3.0)).ToList();
        Assert.All(samples, s => Assert.InRange(s, 0.5, 3.0));

        // The mean of N(0, 1) truncated to [0.5, 3] is (φ(0.5) − φ(3)) / (Φ(3) − Φ(0.5)) ≈ 1.1345.
        Assert.True(Math.Abs(samples.Average() - 1.1345) < 0.02, $"mean {samples.Average()}");
        Assert.True(Math.Abs(TruncatedNormal.InverseCdf(TruncatedNormal.Cdf(1.3)) - 1.3) < 1e-6);
    }
}
