using System;
using System.IO;
using System.Linq;
using Volt.Runtime.Tests.Training;
using Volt.Tuning;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Tuning;

/// <summary>
/// torch's CPU random state is one per process; these tests compare it, so no other test may run beside them.
/// </summary>
[CollectionDefinition(nameof(TorchRandomState), DisableParallelization = true)]
public sealed class TorchRandomState
{
}

/// <summary>The finders put the module and torch's random state back exactly as they found them.</summary>
[Collection(nameof(TorchRandomState))]
public sealed class TunerRestoreTests : IDisposable
{
    private readonly TempRoot root = new();

    private TrainerOptions Options => TuningData.QuietOptions(root);

    [Fact]
    public void Finder_leaves_weights_gradients_mode_and_random_state_bit_identical()
    {
        using var data = TuningData.Linear(64, batchSize: 8);
        var train = data.Train;

        manual_seed(5);
        using var tuned = new DropoutRegression();
        manual_seed(5);
        using var untouched = new DropoutRegression();
        tuned.eval();
        using var before = new StateCopy(tuned);

        var result = new Tuner(new Trainer(Options, console: TextWriter.Null)).LrFind(tuned, train, numTraining: 30, earlyStopThreshold: null);

        Assert.Equal(30, result.Lrs.Count);
        var (changed, sameRng) = before.Compare(tuned);
        Assert.Empty(changed);
        Assert.True(sameRng, "torch's random state changed");
        Assert.False(tuned.training);
        Assert.All(tuned.parameters(), p => Assert.Null(p.grad));

        // What comes next cannot tell the finder ran: the same fit without a seed (so the restored random state
        // drives dropout) ends in the same weights as on a module the finder never touched.
        tuned.train();
        untouched.train();
        var fitOptions = Options with { MaxEpochs = 2 };
        var rng = get_rng_state();
        new Trainer(fitOptions, console: TextWriter.Null).Fit(tuned, train);
        set_rng_state(rng);
        new Trainer(fitOptions, console: TextWriter.Null).Fit(untouched, train);
        using var reference = new StateCopy(untouched);
        Assert.Empty(reference.Compare(tuned).ChangedTensors);
    }

    [Fact]
    public void Batch_size_finder_lets_other_errors_through_and_restores_the_module()
    {
        using var data = TuningData.Linear(64, batchSize: 8);
        using var module = new WideRegression(16) { FailAtBatchSize = 8 };
        using var before = new StateCopy(module);

        var error = Assert.Throws<InvalidOperationException>(() => new Tuner(new Trainer(Options, console: TextWriter.Null))
            .ScaleBatchSize(module, size => data.Loader(size)));

        Assert.Contains("scripted failure at batch size 8", error.Message, StringComparison.Ordinal);
        var (changed, sameRng) = before.Compare(module);
        Assert.Empty(changed);
        Assert.True(sameRng);
    }

    public void Dispose() => root.Dispose();
}
