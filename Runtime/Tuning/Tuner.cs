using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Volt.Callbacks;
using Volt.Data;

namespace Volt.Tuning;

/// <summary>
/// Lightning's <c>Tuner</c> (src/lightning/pytorch/tuner/tuning.py): a learning-rate finder (<see cref="LrFind"/>) and a
/// batch-size finder (<see cref="ScaleBatchSize"/>). Each runs short fits with the trainer's options (device,
/// precision, accumulation, clipping, seed) but without its callbacks, loggers, checkpoints, progress output or
/// sanity check, and then puts the module back exactly as it was: weights, buffers, gradients, train/eval mode and
/// torch's CPU random state. The trainer's own counters and run directory are not touched. The optimizer is built
/// afresh by <c>[ConfigureOptimizers]</c> in every fit, so the finders leave no optimizer state behind.
/// </summary>
/// <param name="trainer">The trainer whose options the searches use; it prints one line per search.</param>
public sealed class Tuner(Trainer trainer)
{
    private readonly Trainer trainer = trainer ?? throw new ArgumentNullException(nameof(trainer));

    /// <summary>
    /// Runs a learning-rate range test (Lightning's <c>lr_find</c>): <paramref name="numTraining"/> optimizer steps
    /// whose rate rises from <paramref name="minLr"/> to <paramref name="maxLr"/>, overriding the rate of every
    /// parameter group of the module's single optimizer before each step. It stops early once the smoothed loss
    /// exceeds <paramref name="earlyStopThreshold"/> times the best so far, or the loss is not finite. The module's
    /// own learning rate is not changed: use <see cref="LrFinderResult.Suggestion"/> to build or set it.
    /// </summary>
    /// <typeparam name="TBatch">The training batch type.</typeparam>
    /// <param name="module">The module; its <c>[ConfigureOptimizers]</c> must return exactly one optimizer.</param>
    /// <param name="train">The training data; epochs repeat until the sweep is done.</param>
    /// <param name="minLr">The rate of the first step (Lightning's default 1e-8).</param>
    /// <param name="maxLr">The rate of the last step (default 1).</param>
    /// <param name="numTraining">The number of steps (default 100).</param>
    /// <param name="mode">Exponential (default) or linear spacing of the rates.</param>
    /// <param name="earlyStopThreshold">Stop when the smoothed loss exceeds this multiple of the best one (default 4); null never stops early.</param>
    /// <returns>The rates, smoothed losses and the suggestion.</returns>
    /// <exception cref="ArgumentException">An argument is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The trainer is in FastDevRun mode, the data yields no training batch, or the module has several optimizers.</exception>
    public LrFinderResult LrFind<TBatch>(
        IFitModule<TBatch> module,
        IDataLoader<TBatch> train,
        double minLr = 1e-8,
        double maxLr = 1.0,
        int numTraining = 100,
        LrFinderMode mode = LrFinderMode.Exponential,
        double? earlyStopThreshold = 4.0)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(train);
        CheckLrArguments(minLr, maxLr, numTraining, mode, earlyStopThreshold);
        CheckRunnable("the learning-rate finder", train.BatchCount, trainer.Options.LimitTrainBatches);

        var sweep = new LrSweep(mode, minLr, maxLr, numTraining);
        var callback = new LrFinderCallback(sweep, earlyStopThreshold);
        using (var snapshot = ModuleSnapshot.Capture(module.Module))
        {
            try
            {
                SearchTrainer(numTraining, trainer.Options.LimitTrainBatches, callback).Fit(module, train);
            }
            finally
            {
                snapshot.Restore();
            }
        }

        var result = new LrFinderResult(mode, minLr, maxLr, numTraining, callback.Lrs, callback.Losses, callback.StopReason);
        var suggestion = result.Suggestion is { } lr
            ? "suggested learning rate " + lr.ToString("G3", CultureInfo.InvariantCulture)
            : "no suggestion (fewer than two usable points; raise numTraining)";
        var stopped = result.StoppedEarly ? $"; stopped after {result.Lrs.Count} of {numTraining} steps because {result.StopReason}" : string.Empty;
        trainer.Output.WriteLine($"LR finder: {suggestion}{stopped}");
        return result;
    }

    /// <summary>
    /// Finds the largest batch size whose training steps fit in memory (Lightning's <c>scale_batch_size</c>). Each
    /// trial builds a loader with <paramref name="trainLoader"/> and runs <paramref name="stepsPerTrial"/> optimizer
    /// steps; a trial fails when it runs out of memory (<see cref="OutOfMemory.IsOutOfMemory"/>: CUDA's error, the CPU
    /// allocator's, or <paramref name="memoryLimitBytes"/> exceeded). Other errors propagate. The module is restored
    /// after every trial, so trials do not depend on each other.
    /// </summary>
    /// <typeparam name="TBatch">The training batch type.</typeparam>
    /// <param name="module">The module.</param>
    /// <param name="trainLoader">Makes a training loader with the given batch size; loaders that are <see cref="IDisposable"/> are disposed after their trial.</param>
    /// <param name="mode">Power (default) or binary search.</param>
    /// <param name="stepsPerTrial">Optimizer steps per trial (default 3).</param>
    /// <param name="initVal">The first batch size tried (default 2).</param>
    /// <param name="maxTrials">Power: the most trials; binary search: the most successful trials (default 25).</param>
    /// <param name="margin">Binary search: reduce the found size by this fraction, in [0, 1) (default 0.05).</param>
    /// <param name="maxVal">The largest batch size tried (default 8192).</param>
    /// <param name="memoryLimitBytes">
    /// An explicit limit on what a training step may hold, measured by <see cref="StepTensorBytes"/>; it applies on
    /// every device and is the only limit on a CPU, where running out of memory means swapping, not an error. Null: none.
    /// </param>
    /// <returns>The batch size and the trials.</returns>
    /// <exception cref="ArgumentException">An argument is out of range; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The trainer is in FastDevRun mode, a loader has no batches or ignores the batch size, or no size fits.</exception>
    public BatchSizeFinderResult ScaleBatchSize<TBatch>(
        IFitModule<TBatch> module,
        Func<int, IDataLoader<TBatch>> trainLoader,
        BatchSizeScalingMode mode = BatchSizeScalingMode.Power,
        int stepsPerTrial = 3,
        int initVal = 2,
        int maxTrials = 25,
        double margin = 0.05,
        int maxVal = 8192,
        long? memoryLimitBytes = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(trainLoader);
        CheckBatchSizeArguments(mode, stepsPerTrial, initVal, maxTrials, margin, maxVal, memoryLimitBytes);
        if (trainer.Options.FastDevRun > 0)
        {
            throw FastDevRunError("the batch-size finder");
        }

        var trials = new List<BatchSizeTrial>();
        var sampleCount = long.MaxValue;
        int batchSize;
        using (var snapshot = ModuleSnapshot.Capture(module.Module))
        {
            bool Fits(int size)
            {
                var trial = RunTrial(module, trainLoader, size, stepsPerTrial, memoryLimitBytes, snapshot, out sampleCount);
                trials.Add(trial);
                return trial.Fits;
            }

            try
            {
                batchSize = BatchSizeSearch.Run(mode, Fits, () => sampleCount, initVal, maxTrials, mode == BatchSizeScalingMode.BinarySearch ? margin : 0, maxVal);
            }
            finally
            {
                snapshot.Restore();
            }
        }

        var failed = trials.Find(t => !t.Fits);
        var firstFailure = failed is null ? "no trial ran out of memory" : $"first out-of-memory at {failed.BatchSize}";
        trainer.Output.WriteLine($"Batch-size finder: batch size {batchSize} ({mode} mode, {trials.Count} trials, {firstFailure})");
        return new BatchSizeFinderResult(batchSize, mode, trials);
    }

    private BatchSizeTrial RunTrial<TBatch>(
        IFitModule<TBatch> module, Func<int, IDataLoader<TBatch>> trainLoader, int batchSize, int steps, long? memoryLimitBytes, ModuleSnapshot snapshot, out long sampleCount)
    {
        sampleCount = long.MaxValue;
        var loader = trainLoader(batchSize)
            ?? throw new InvalidOperationException($"The batch-size finder's loader factory returned null for batch size {batchSize}.");
        var budget = new TensorMemoryBudget(memoryLimitBytes);
        try
        {
            sampleCount = loader.SampleCount;
            CheckLoaderBatchSize(loader, batchSize);
            CheckRunnable("the batch-size finder", loader.BatchCount, BatchLimit.All);
            SearchTrainer(steps, BatchLimit.All, budget).Fit(module, loader);
            return new BatchSizeTrial(batchSize, Fits: true, budget.PeakBytes, Failure: null);
        }
        catch (Exception error) when (OutOfMemory.IsOutOfMemory(error))
        {
            // Lightning collects garbage between trials; TorchSharp has no empty_cache for CUDA's caching allocator.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            return new BatchSizeTrial(batchSize, Fits: false, budget.PeakBytes, error.Message);
        }
        finally
        {
            (loader as IDisposable)?.Dispose();
            snapshot.Restore();
        }
    }

    /// <summary>A trainer for one search: the user's options with a step limit, one callback, the user's strategy, and nothing written or printed.</summary>
    private Trainer SearchTrainer(int maxSteps, BatchLimit limitTrainBatches, Callback callback)
        => new(
            trainer.Options with
            {
                MaxSteps = maxSteps,
                MaxEpochs = null,
                MinEpochs = 0,
                LimitTrainBatches = limitTrainBatches,
                LimitValBatches = 0,
                NumSanityValSteps = 0,
                EnableCheckpointing = false,
                EnableLogging = false,
                EnableProgressBar = false,
                // The finders watch the loss themselves: a diverging loss ends a sweep or marks a size, it is not an error.
                StopOnNonFiniteLoss = false,
            },
            callbacks: [callback],
            loggers: [],
            strategy: trainer.Strategy,
            console: TextWriter.Null)
        {
            PrecisionFactory = trainer.PrecisionFactory,
        };

    private void CheckRunnable(string finder, int batchCount, BatchLimit limit)
    {
        if (trainer.Options.FastDevRun > 0)
        {
            throw FastDevRunError(finder);
        }

        if (limit.Resolve(batchCount) == 0)
        {
            throw new InvalidOperationException(
                $"The training data gives {finder} no batch to train on ({batchCount} batches, LimitTrainBatches = {limit}).");
        }
    }

    private InvalidOperationException FastDevRunError(string finder)
        => new($"The trainer has FastDevRun = {trainer.Options.FastDevRun}; {finder} does not run in a debug run (Lightning skips it). Use a trainer without FastDevRun.");

    private static void CheckLoaderBatchSize<TBatch>(IDataLoader<TBatch> loader, int batchSize)
    {
        if (loader.SampleCount <= 0)
        {
            return;
        }

        var full = loader.SampleCount / batchSize;
        var withPartial = (loader.SampleCount + batchSize - 1) / batchSize;
        if (loader.BatchCount != full && loader.BatchCount != withPartial)
        {
            throw new InvalidOperationException(
                $"The batch-size finder asked its loader factory for batch size {batchSize}, but the loader splits {loader.SampleCount} samples into {loader.BatchCount} batches; "
                + "the factory must build the loader with the batch size it is given.");
        }
    }

    private static void CheckLrArguments(double minLr, double maxLr, int numTraining, LrFinderMode mode, double? earlyStopThreshold)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use LrFinderMode.Exponential or LrFinderMode.Linear.");
        }

        if (!double.IsFinite(minLr) || minLr < 0 || (minLr == 0 && mode == LrFinderMode.Exponential))
        {
            throw new ArgumentOutOfRangeException(nameof(minLr), minLr, mode == LrFinderMode.Exponential
                ? "minLr must be a positive number for an exponential sweep (the rates are spaced on a log scale)."
                : "minLr must be a number >= 0.");
        }

        if (!double.IsFinite(maxLr) || maxLr <= minLr)
        {
            throw new ArgumentOutOfRangeException(nameof(maxLr), maxLr, $"maxLr must be a finite number larger than minLr ({minLr.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (numTraining < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(numTraining), numTraining, "numTraining must be at least 1 (the suggestion needs at least 13 steps: 10 are skipped at the start and 1 at the end).");
        }

        if (earlyStopThreshold is { } threshold && (!double.IsFinite(threshold) || threshold <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(earlyStopThreshold), threshold, "earlyStopThreshold must be a positive number, or null to never stop early.");
        }
    }

    private static void CheckBatchSizeArguments(BatchSizeScalingMode mode, int stepsPerTrial, int initVal, int maxTrials, double margin, int maxVal, long? memoryLimitBytes)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Use BatchSizeScalingMode.Power or BatchSizeScalingMode.BinarySearch.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(stepsPerTrial, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(initVal, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrials, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxVal, 1);
        if (!(margin >= 0 && margin < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(margin), margin, "margin must be in [0, 1): the fraction the binary search takes off the size it found.");
        }

        if (memoryLimitBytes is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(memoryLimitBytes), memoryLimitBytes, "memoryLimitBytes must be positive, or null for no explicit limit.");
        }
    }
}
