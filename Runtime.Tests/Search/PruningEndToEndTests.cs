using System.Linq;
using TorchSharp;
using Volt.Runtime.Tests.Training;
using Volt.Search;
using Volt.Search.Pruners;
using Volt.Search.Samplers;

namespace Volt.Runtime.Tests.Search;

/// <summary>One tiny real study: the pruning callback stops a hopeless fit through the trainer's stop request.</summary>
public sealed class PruningEndToEndTests() : TrainingTest(samples: 100)
{
    private const int MaxEpochs = 4;

    [Fact]
    public void AHopelessTrialIsPrunedAtItsFirstValidationAndItsFitStopsCleanly()
    {
        // The grid walks the learning-rate choices in order: 0.1, 0.05, then the hopeless 1e-7.
        var grid = new GridSampler(new SearchSpace(TunedRegression.SearchSpace.Parameters.Where(p => p.Name == "learningRate").ToArray()));
        var study = new Study(new StudyOptions { Sampler = grid, Pruner = new MedianPruner(startupTrials: 2) });
        var epochsRun = new int[3];
        var prunedEpochs = new int?[3];
        long liveBefore = 0;

        study.Optimize(3, trial =>
        {
            var learningRate = trial.SuggestCategorical("learningRate", new[] { 0.1, 0.05, 1e-7 });
            if (trial.Number == 2)
            {
                liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }

            var pruning = new PruningCallback(trial);
            Seeding.SeedEverything(3);
            using (var module = new TunedRegression(learningRate: learningRate))
            using (var train = TestData.Loader(X, Y, batchSize: 10, shuffle: false))
            using (var validation = TestData.Loader(X, Y, batchSize: 50, shuffle: false))
            {
                var trainer = new Trainer(Root.Options(MaxEpochs) with { EnableCheckpointing = false, NumSanityValSteps = 0 }, callbacks: [pruning]);
                trainer.Fit(module, train, validation);
                epochsRun[trial.Number] = trainer.CurrentEpoch;
                prunedEpochs[trial.Number] = pruning.PrunedEpoch;
                return trainer.CallbackMetrics["val_loss"];
            }
        });

        var liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var trials = study.Trials;
        Assert.Equal([TrialState.Complete, TrialState.Complete, TrialState.Pruned], trials.Select(t => t.State));
        Assert.Equal([MaxEpochs, MaxEpochs, 1], epochsRun);
        Assert.Equal([null, null, 0], prunedEpochs);
        Assert.Equal(0, trials[2].LastStep);
        Assert.Equal(trials[2].IntermediateValues[0], trials[2].Value!.Value, 1e-12);
        Assert.Equal(MaxEpochs, trials[0].IntermediateValues.Count);

        // The pruned fit ended normally and its module was disposed: no tensor outlives the trial.
        Assert.Equal(liveBefore, liveAfter);
    }
}
