using System;
using System.Linq;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;

namespace Volt.Runtime.Tests.Search;

public sealed class PrunerTests
{
    // A learning curve that improves with the step: value = start / (step + 1) (minimized).
    private static double Curve(Trial trial, double start, int steps)
    {
        for (var step = 0; step < steps; step++)
        {
            trial.Report(start / (step + 1), step);
            if (trial.ShouldPrune())
            {
                throw new TrialPrunedException($"pruned at step {step}");
            }
        }

        return start / steps;
    }

    [Fact]
    public void MedianPrunerStopsAHopelessTrialAtTheFirstStepAfterWarmup()
    {
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(0), Pruner = new MedianPruner(startupTrials: 5, warmupSteps: 3) });
        var starts = new[] { 1.0, 1.2, 0.8, 1.1, 0.9 };
        foreach (var start in starts)
        {
            study.Optimize(1, trial => Curve(trial, start, steps: 10));
        }

        study.Optimize(1, trial => Curve(trial, 100.0, steps: 10));

        var hopeless = study.Trials[^1];
        Assert.Equal(TrialState.Pruned, hopeless.State);
        Assert.Equal(3, hopeless.LastStep);
        Assert.Equal(25.0, hopeless.Value!.Value, 1e-12);
        Assert.All(study.Trials.Take(5), t => Assert.Equal(TrialState.Complete, t.State));
    }

    [Fact]
    public void MedianPrunerKeepsATrialThatBeatsTheMedianAndWaitsForStartupTrials()
    {
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(0), Pruner = new MedianPruner(startupTrials: 3) });

        // Two completed trials are fewer than the 3 startup trials: a bad one is not pruned yet.
        study.Optimize(1, trial => Curve(trial, 1.0, steps: 4));
        study.Optimize(1, trial => Curve(trial, 1.0, steps: 4));
        study.Optimize(1, trial => Curve(trial, 50.0, steps: 4));
        Assert.Equal(TrialState.Complete, study.Trials[2].State);

        // Now three are complete: a better-than-median trial runs to the end, a worse one stops at step 0.
        study.Optimize(1, trial => Curve(trial, 0.5, steps: 4));
        study.Optimize(1, trial => Curve(trial, 50.0, steps: 4));
        Assert.Equal(TrialState.Complete, study.Trials[3].State);
        Assert.Equal(TrialState.Pruned, study.Trials[4].State);
        Assert.Equal(0, study.Trials[4].LastStep);
    }

    [Fact]
    public void MedianPrunerComparesTheOtherWayWhenMaximizing()
    {
        var study = new Study(new StudyOptions { Direction = StudyDirection.Maximize, Sampler = new RandomSampler(0), Pruner = new MedianPruner(startupTrials: 1) });
        study.Optimize(1, trial => Curve(trial, 10.0, steps: 3));
        study.Optimize(1, trial => Curve(trial, 20.0, steps: 3));
        study.Optimize(1, trial => Curve(trial, 1.0, steps: 3));
        Assert.Equal(TrialState.Complete, study.Trials[1].State);
        Assert.Equal(TrialState.Pruned, study.Trials[2].State);
    }

    [Fact]
    public void SuccessiveHalvingPromotesOnlyTheTopFractionAtEachRung()
    {
        // min_resource 1, reduction factor 2: rungs at steps 1, 2, 4, 8.
        var study = new Study(new StudyOptions { Sampler = new RandomSampler(0), Pruner = new SuccessiveHalvingPruner(minResource: 1, reductionFactor: 2) });
        study.Optimize(1, trial => Curve(trial, 1.0, steps: 9));
        Assert.Equal(TrialState.Complete, study.Trials[0].State);
        Assert.Equal(["completed_rung_0", "completed_rung_1", "completed_rung_2", "completed_rung_3"], study.Trials[0].SystemAttributes.Keys.Order());

        // A worse trial: at rung 0 two values compete and only the best max(1, 2 / 2) = 1 survives.
        study.Optimize(1, trial => Curve(trial, 3.0, steps: 9));
        Assert.Equal(TrialState.Pruned, study.Trials[1].State);
        Assert.Equal(1, study.Trials[1].LastStep);

        // A better trial survives every rung.
        study.Optimize(1, trial => Curve(trial, 0.5, steps: 9));
        Assert.Equal(TrialState.Complete, study.Trials[2].State);
    }
}
