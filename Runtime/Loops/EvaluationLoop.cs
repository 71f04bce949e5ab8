using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using TorchSharp;
using Volt.Data;
using Volt.Logging;
using Volt.Precision;
using Volt.Profiling;
using static TorchSharp.torch;

namespace Volt.Loops;

/// <summary>
/// The runtime services the generated validation and test loops call: <see cref="BeginEpoch"/>,
/// then per batch <see cref="BeginBatch"/>, <see cref="GetBatch"/>, the step, <see cref="EndBatch"/>,
/// and <see cref="EndEpoch"/>, which reduces the logged values to the epoch metrics.
/// </summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class EvaluationLoop<TBatch> : IDisposable
{
    private readonly RunContext context;
    private readonly IDataLoader<TBatch> data;
    private readonly BatchLimit limit;
    private readonly bool insideFit;
    private readonly Dictionary<string, double> stepValues = new(StringComparer.Ordinal);
    private IEpochBatches<TBatch>? epochBatches;
    private MetricCollector? previousMetrics;
    private int batchLimit;
    private long seenBatches;
    private readonly SimpleProfiler? profiler;
    private long epochStarted;

    internal EvaluationLoop(RunContext context, IDataLoader<TBatch> data, RunPhase phase, BatchLimit limit, bool insideFit)
    {
        this.context = context;
        this.data = data;
        this.limit = limit;
        this.insideFit = insideFit;
        Phase = phase;
        Metrics = new MetricCollector(phase);
        profiler = context.Profiler;
    }

    /// <summary>Validation or test.</summary>
    public RunPhase Phase { get; }

    /// <summary>The device batches go to.</summary>
    public Device Device => context.Strategy.Device;

    /// <summary>The precision plugin: the autocast region around the step.</summary>
    public PrecisionPlugin Precision => context.Precision;

    /// <summary>The collector behind the module's <c>Log</c> during this loop's steps.</summary>
    public MetricCollector Metrics { get; }

    /// <summary>The epoch metrics of the last completed run of this loop.</summary>
    public IReadOnlyDictionary<string, double> Results { get; private set; } = new Dictionary<string, double>();

    /// <summary>
    /// Times <paramref name="action"/> until the returned scope is disposed (<see cref="TrainerOptions.Profiler"/>);
    /// with the profiler off the scope does nothing and allocates nothing.
    /// </summary>
    /// <param name="action">The part of the step the <c>using</c> block runs.</param>
    public ProfileScope Profile(ProfiledAction action) => ProfileScope.Start(profiler, action);

    /// <summary>Opens the data and starts collecting metrics.</summary>
    public void BeginEpoch()
    {
        epochStarted = profiler is null ? 0 : Stopwatch.GetTimestamp();
        epochBatches?.Dispose();
        epochBatches = data.OpenEpoch(context.CurrentEpoch, context.ShuffleSeed);
        batchLimit = ValidationSchedule.BatchesToRun(context.Options, limit.Resolve(epochBatches.Count), context.SanityChecking);

        Metrics.ResetEpoch();
        previousMetrics = context.ModuleState.Metrics;
        context.ModuleState.Metrics = Metrics;
        context.Progress.OnEvaluationStart(Phase, batchLimit);
        if (Phase == RunPhase.Validation)
        {
            context.Hooks.OnValidationEpochStart();
        }
        else
        {
            context.Hooks.OnTestStart();
        }
    }

    /// <summary>Returns true when batch <paramref name="batchIndex"/> should run.</summary>
    /// <param name="batchIndex">The 0-based batch index.</param>
    public bool BeginBatch(int batchIndex)
    {
        if (batchIndex >= batchLimit)
        {
            return false;
        }

        Metrics.BeginStep();
        if (Phase == RunPhase.Validation)
        {
            context.Hooks.OnValidationBatchStart(batchIndex);
        }
        else
        {
            context.Hooks.OnTestBatchStart(batchIndex);
        }

        return true;
    }

    /// <summary>Creates the batch (in the caller's dispose scope).</summary>
    /// <param name="batchIndex">The 0-based batch index.</param>
    public TBatch GetBatch(int batchIndex)
    {
        var batches = epochBatches ?? throw new InvalidOperationException("GetBatch was called before BeginEpoch.");
        using var fetch = Profile(Phase == RunPhase.Validation ? ProfiledAction.ValidationDataFetch : ProfiledAction.TestDataFetch);
        return batches.GetBatch(batchIndex);
    }

    /// <summary>Sends per-step values (metrics logged with <c>onStep: true</c>) to the loggers.</summary>
    /// <param name="batchIndex">The 0-based batch index.</param>
    public void EndBatch(int batchIndex)
    {
        if (context.Loggers.Count > 0 && !context.SanityChecking)
        {
            stepValues.Clear();
            Metrics.CollectStepValues(stepValues, progressBarOnly: false, currentStepOnly: true);
            context.LogMetrics(stepValues, seenBatches);
        }

        if (!context.SanityChecking)
        {
            seenBatches++;
        }

        context.Progress.OnEvaluationBatchEnd(Phase, batchIndex, batchLimit);
        if (Phase == RunPhase.Validation)
        {
            context.Hooks.OnValidationBatchEnd(batchIndex);
        }
        else
        {
            context.Hooks.OnTestBatchEnd(batchIndex);
        }
    }

    /// <summary>Reduces the logged values to epoch metrics and publishes them to loggers and callback metrics.</summary>
    public void EndEpoch()
    {
        // Inside fit, validation metrics are logged at the step of the batch that triggered them (Lightning's rule).
        var step = insideFit ? Math.Max(0, context.GlobalStep - 1) : context.GlobalStep;
        // Sanity-check metrics are never published (Lightning wipes them).
        Results = context.SanityChecking ? new Dictionary<string, double>() : context.PublishEpoch(Metrics, step, addEpochKey: true);
        // Metric objects start the next epoch empty; a checkpoint written by the callbacks below holds no stale epoch.
        Metrics.ResetMetricObjects();
        context.Progress.OnEvaluationEnd(Phase);
        epochBatches?.Dispose();
        epochBatches = null;
        context.ModuleState.Metrics = previousMetrics;
        if (Phase == RunPhase.Validation)
        {
            // Inside fit, validation closes the epoch's training part: a checkpoint written now resumes at the next epoch.
            if (insideFit && !context.SanityChecking)
            {
                context.LoopProgress.CompleteValidation();
            }

            context.Hooks.OnValidationEpochEnd();
        }
        else
        {
            context.Hooks.OnTestEnd();
        }

        profiler?.Record(Phase == RunPhase.Validation ? ProfiledAction.ValidationEpoch : ProfiledAction.TestEpoch, epochStarted);
    }

    /// <summary>Frees the epoch's data and the metric accumulators.</summary>
    public void Dispose()
    {
        epochBatches?.Dispose();
        epochBatches = null;
        Metrics.Dispose();
    }
}
