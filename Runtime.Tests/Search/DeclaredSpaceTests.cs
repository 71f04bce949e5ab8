using System.Linq;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;

namespace Volt.Runtime.Tests.Search;

public sealed class DeclaredSpaceTests
{
    [Fact]
    public void GeneratedSamplingAsksForEverySearchedHyperparameterWithItsDeclaredSpace()
    {
        var study = new Study(new StudyOptions { Sampler = new TpeSampler(11, startupTrials: 5), Pruner = new NopPruner() });
        study.Optimize(15, trial =>
        {
            var sampled = TunedRegression.SampleHyperparameters(trial);
            Assert.Contains(sampled.LearningRate, new[] { 0.1, 0.05, 1e-7 });
            Assert.Contains(sampled.Momentum, new[] { 0.0, 0.3, 0.6, 0.9 });
            Assert.Contains(sampled.Optimizer, new[] { "sgd", "adam" });
            Assert.InRange(sampled.BatchSize, 8, 64);
            Assert.Equal(0, sampled.BatchSize % 8);
            Assert.InRange(sampled.WeightDecay, 1e-6f, 1e-2f);
            Assert.Equal("tuned", sampled.Label);
            return sampled.LearningRate + sampled.Momentum;
        });

        // What the trials stored is exactly the generated SearchSpace, parameter by parameter.
        var declared = TunedRegression.SearchSpace.Parameters.ToDictionary(p => p.Name, p => p.Distribution);
        Assert.Equal(["learningRate", "momentum", "optimizer", "BatchSize", "WeightDecay"], declared.Keys);
        foreach (var trial in study.Trials)
        {
            Assert.Equal(declared.Keys.Order(), trial.Distributions.Keys.Order());
            Assert.All(declared, d => Assert.Equal(d.Value, trial.Distributions[d.Key]));
        }
    }

    [Fact]
    public void UnsearchedHyperparametersKeepTheGivenDefaultsAndTheRecordBuildsTheModule()
    {
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(3), Pruner = new NopPruner() });
        var defaults = new TunedRegression.Hyperparameters(0.05, 0.0, "sgd", 16, 0.5f, "mine");
        study.Optimize(3, trial =>
        {
            var sampled = TunedRegression.SampleHyperparameters(trial, defaults);
            Assert.Equal("mine", sampled.Label);
            Assert.Equal(trial.Params["learningRate"], sampled.LearningRate);
            Assert.Equal(trial.Params["BatchSize"], (long)sampled.BatchSize);
            using var module = TunedRegression.FromHyperparameters(sampled);
            Assert.Equal(sampled, module.GetHyperparameters());
            return 0;
        });
    }
}
