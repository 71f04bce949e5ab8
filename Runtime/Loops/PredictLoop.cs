using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using Volt.Data;
using Volt.Logging;
using Volt.Precision;
using Volt.Profiling;
using static TorchSharp.torch;

namespace Volt.Loops;

/// <summary>
/// The runtime services the generated predict loop calls: <see cref="BeginEpoch"/>, per batch
/// <see cref="BeginBatch"/>, <see cref="GetBatch"/>, the step, <see cref="AddOutput"/>, and <see cref="EndEpoch"/>.
/// </summary>
/// <typeparam name="TBatch">The input batch type.</typeparam>
/// <typeparam name="TOutput">The predict step's return type.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PredictLoop<TBatch, TOutput> : IDisposable
{
    private readonly RunContext context;
    private readonly IDataLoader<TBatch> data;
    private readonly List<TOutput> outputs = [];
    private readonly MetricCollector metrics = new(RunPhase.Predict);
    private IEpochBatches<TBatch>? epochBatches;
    private int batchLimit;
    private readonly SimpleProfiler? profiler;
    private long epochStarted;

    internal PredictLoop(RunContext context, IDataLoader<TBatch> data)
    {
        this.context = context;
        this.data = data;
        profiler = context.Profiler;
    }

    /// <summary>The device batches go to.</summary>
    public Device Device => context.Strategy.Device;

    /// <summary>The precision plugin: the autocast region around the step.</summary>
    public PrecisionPlugin Precision => context.Precision;

    /// <summary>The outputs collected so far, one per batch, in batch order.</summary>
    public IReadOnlyList<TOutput> Outputs => outputs;

    /// <summary>
    /// Times <paramref name="action"/> until the returned scope is disposed (<see cref="TrainerOptions.Profiler"/>);
    /// with the profiler off the scope does nothing and allocates nothing.
    /// </summary>
    /// <param name="action">The part of the step the <c>using</c> block runs.</param>
    public ProfileScope Profile(ProfiledAction action) => ProfileScope.Start(profiler, action);

    /// <summary>Opens the data.</summary>
    public void BeginEpoch()
    {
        epochStarted = profiler is null ? 0 : Stopwatch.GetTimestamp();
        epochBatches?.Dispose();
        epochBatches = data.OpenEpoch(0, context.ShuffleSeed);
        batchLimit = context.Options.LimitPredictBatches.Resolve(epochBatches.Count);
        context.ModuleState.Metrics = metrics;
        context.Progress.OnEvaluationStart(RunPhase.Predict, batchLimit);
    }

    /// <summary>Returns true when batch <paramref name="batchIndex"/> should run.</summary>
    /// <param name="batchIndex">The 0-based batch index.</param>
    public bool BeginBatch(int batchIndex) => batchIndex < batchLimit;

    /// <summary>Creates the batch (in the caller's dispose scope).</summary>
    /// <param name="batchIndex">The 0-based batch index.</param>
    public TBatch GetBatch(int batchIndex)
    {
        var batches = epochBatches ?? throw new InvalidOperationException("GetBatch was called before BeginEpoch.");
        using var fetch = Profile(ProfiledAction.PredictDataFetch);
        return batches.GetBatch(batchIndex);
    }

    /// <summary>Keeps one batch's output. Its tensors must already be detached from the step's dispose scope.</summary>
    /// <param name="batchIndex">The 0-based batch index.</param>
    /// <param name="output">The output.</param>
    public void AddOutput(int batchIndex, TOutput output)
    {
        outputs.Add(output);
        context.Progress.OnEvaluationBatchEnd(RunPhase.Predict, batchIndex, batchLimit);
    }

    /// <summary>Closes the data.</summary>
    public void EndEpoch()
    {
        context.Progress.OnEvaluationEnd(RunPhase.Predict);
        epochBatches?.Dispose();
        epochBatches = null;
        context.ModuleState.Metrics = null;
        profiler?.Record(ProfiledAction.PredictEpoch, epochStarted);
    }

    /// <summary>Frees the epoch's data.</summary>
    public void Dispose()
    {
        epochBatches?.Dispose();
        epochBatches = null;
        metrics.Dispose();
    }
}
