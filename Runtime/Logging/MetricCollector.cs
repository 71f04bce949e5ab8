using System;
using System.Collections.Generic;
using TorchSharp;
using Volt.Metrics;
using static TorchSharp.torch;

namespace Volt.Logging;

/// <summary>
/// Collects the values a module passes to <c>Log</c> during one phase and aggregates them the way
/// Lightning does: per-step values keep the latest value, epoch values are reduced with
/// <see cref="MetricReduce"/> (the mean is weighted by batch size, for tensors and plain numbers alike).
/// A tensor on the CPU is read when it is logged (reading waits for nothing there) and kept as a number, so
/// logging it creates no tensor and, for float32 and float64, allocates nothing. A tensor on another
/// device stays there and is accumulated in place, so logging costs no host synchronisation per step;
/// its numbers are read only when a logger or the progress display asks for them.
/// </summary>
/// <remarks>The collector owns the accumulator tensors it creates and frees them in <see cref="Dispose"/>.</remarks>
public sealed class MetricCollector : IDisposable
{
    private readonly Dictionary<string, LoggedMetric> metricsByName = new(StringComparer.Ordinal);
    private readonly List<LoggedMetric> metricsInOrder = [];
    private long currentBatchSize = 1;
    private long? stepBatchSize;
    private long stepCounter;
    private long cachedWeightValue = -1;
    private Scalar? cachedWeight;

    internal MetricCollector(RunPhase phase)
    {
        Phase = phase;
    }

    /// <summary>The phase whose defaults apply.</summary>
    public RunPhase Phase { get; }

    /// <summary>
    /// Sets the size of the batch being processed; epoch means of tensor values are weighted by it.
    /// The generated loop calls this once per batch with the first dimension of the batch's first tensor.
    /// </summary>
    /// <param name="batchSize">The number of samples in the batch.</param>
    public void SetBatchSize(long batchSize) => currentBatchSize = batchSize;

    /// <summary>Marks the start of a new step; step values logged after this belong to it.</summary>
    internal void BeginStep()
    {
        stepCounter++;
        stepBatchSize = null;
    }

    internal void Log(string name, Tensor value, bool? onStep, bool? onEpoch, bool progressBar, MetricReduce reduce, long? batchSize, bool syncDist = false)
    {
        var metric = GetOrAdd(name, onStep, onEpoch, progressBar, reduce, syncDist);
        RequireValueLog(metric);
        if (value.numel() != 1)
        {
            throw new ArgumentException(
                $"Log(\"{name}\"): the value must hold exactly one element, but its shape is [{string.Join(", ", value.shape)}]. Reduce it first, for example with .mean().",
                nameof(value));
        }

        if (value.is_complex())
        {
            throw new ArgumentException($"Log(\"{name}\"): the value is complex ({value.dtype}); log a real number, for example its .abs().", nameof(value));
        }

        if (HostValue.TryRead(value, out var number))
        {
            // A CPU value is read now and kept as a number: exact (the value at the time of the call) and no tensor work.
            Record(metric, number, batchSize);
            return;
        }

        using var detached = value.detach();
        using var flat = detached.reshape(1);
        metric.UpdatedAtStep = stepCounter;
        metric.LatestIsTensor = true;
        if (metric.OnStep)
        {
            metric.LatestTensor ??= NewAccumulator(flat.device, 0);
            metric.LatestTensor.copy_(flat);
        }

        if (!metric.OnEpoch)
        {
            return;
        }

        metric.Updates++;
        metric.SyncedEpochValue = null;
        switch (metric.Reduce)
        {
            case MetricReduce.Mean:
                // Lightning: an explicit batch size wins, then one inferred earlier in this step;
                // otherwise a tensor value infers it from the batch and caches it for the step.
                var weight = batchSize ?? stepBatchSize ?? (stepBatchSize = currentBatchSize).Value;
                metric.Weight += weight;
                metric.SumTensor ??= NewAccumulator(flat.device, 0);
                metric.SumTensor.add_(flat, WeightScalar(weight));
                break;
            case MetricReduce.Sum:
                metric.SumTensor ??= NewAccumulator(flat.device, 0);
                metric.SumTensor.add_(flat);
                break;
            case MetricReduce.Min:
                metric.ExtremeTensor ??= NewAccumulator(flat.device, double.PositiveInfinity);
                metric.ExtremeTensor.clamp_(max: flat);
                break;
            case MetricReduce.Max:
                metric.ExtremeTensor ??= NewAccumulator(flat.device, double.NegativeInfinity);
                metric.ExtremeTensor.clamp_(min: flat);
                break;
        }
    }

    internal void Log(string name, double value, bool? onStep, bool? onEpoch, bool progressBar, MetricReduce reduce, long? batchSize, bool syncDist = false)
    {
        var metric = GetOrAdd(name, onStep, onEpoch, progressBar, reduce, syncDist);
        RequireValueLog(metric);
        Record(metric, value, batchSize);
    }

    /// <summary>Records a number (or a CPU tensor's value): the step value, and the epoch aggregate when the metric has one.</summary>
    private void Record(LoggedMetric metric, double value, long? batchSize)
    {
        metric.UpdatedAtStep = stepCounter;
        metric.LatestIsTensor = false;
        metric.LatestNumber = value;
        if (!metric.OnEpoch)
        {
            return;
        }

        metric.Updates++;
        metric.SyncedEpochValue = null;
        switch (metric.Reduce)
        {
            case MetricReduce.Mean:
                // Lightning turns a number into a tensor before logging it, so it is weighted like one:
                // an explicit batch size, else the one inferred earlier in this step, else the batch's.
                var weight = batchSize ?? stepBatchSize ?? (stepBatchSize = currentBatchSize).Value;
                metric.Weight += weight;
                metric.SumNumber += value * weight;
                break;
            case MetricReduce.Sum:
                metric.SumNumber += value;
                break;
            case MetricReduce.Min:
                metric.ExtremeNumber = Math.Min(metric.ExtremeNumber ?? double.PositiveInfinity, value);
                break;
            case MetricReduce.Max:
                metric.ExtremeNumber = Math.Max(metric.ExtremeNumber ?? double.NegativeInfinity, value);
                break;
        }
    }

    /// <summary>
    /// Records a metric object (Lightning's <c>self.log(name, metric)</c>): its epoch value is
    /// <see cref="Metric.Compute"/> at the epoch end; its step value is the result of the step's
    /// <see cref="Metric.Forward"/> call, and a step that only called <see cref="Metric.Update"/> has none.
    /// </summary>
    internal void Log(string name, Metric metric, bool? onStep, bool? onEpoch, bool progressBar)
    {
        ArgumentNullException.ThrowIfNull(metric);
        var logged = GetOrAdd(name, onStep, onEpoch, progressBar, default, syncDist: false);
        if (logged.Source is null)
        {
            if (logged.Updates > 0 || logged.UpdatedAtStep >= 0)
            {
                throw new InvalidOperationException($"Log(\"{name}\") was given a metric object, but earlier in this phase the name was logged with a value. Log a name either way, not both.");
            }

            logged.Source = metric;
        }
        else if (!ReferenceEquals(logged.Source, metric))
        {
            throw new InvalidOperationException($"Log(\"{name}\") was given a different metric object than earlier in this phase; log one metric object per name.");
        }

        logged.Updates++;
        logged.LatestIsTensor = true;
        if (!logged.OnStep)
        {
            return;
        }

        if (metric.ForwardValue is { } batchValue)
        {
            if (batchValue.numel() != 1)
            {
                throw new ArgumentException($"Log(\"{name}\"): the metric's batch value must hold exactly one element, but its shape is [{string.Join(", ", batchValue.shape)}] (a per-class average?).", nameof(metric));
            }

            logged.UpdatedAtStep = stepCounter;
            logged.LatestTensor ??= NewAccumulator(batchValue.device, 0);
            using var flat = batchValue.reshape(1);
            logged.LatestTensor.copy_(flat);
        }
        else if (!logged.OnEpoch)
        {
            throw new InvalidOperationException(
                $"Log(\"{name}\", metric) logs per step only (onStep: true, onEpoch: false{(onEpoch is null ? ", the default in training" : string.Empty)}), but this step called only metric.Update, so there is no batch value to log. "
                + "Call metric.Forward(preds, target) to get and log the batch value, or pass onEpoch: true to log the epoch value.");
        }
    }

    /// <summary>
    /// Adds the step values logged during the current step to <paramref name="destination"/>
    /// (names forked to <c>name_step</c> when the metric is also aggregated per epoch).
    /// </summary>
    /// <param name="destination">Where the values go.</param>
    /// <param name="progressBarOnly">Only metrics logged with <c>progressBar: true</c>.</param>
    /// <param name="currentStepOnly">Only metrics updated in the current step.</param>
    internal void CollectStepValues(IDictionary<string, double> destination, bool progressBarOnly, bool currentStepOnly)
    {
        foreach (var metric in metricsInOrder)
        {
            if (!metric.OnStep || (progressBarOnly && !metric.ProgressBar) || (currentStepOnly && metric.UpdatedAtStep != stepCounter))
            {
                continue;
            }

            if (metric.LatestIsTensor && metric.LatestTensor is null)
            {
                continue;
            }

            destination[metric.StepName] = metric.LatestIsTensor ? metric.LatestTensor!.item<double>() : metric.LatestNumber;
        }
    }

    /// <summary>Adds the epoch values (names forked to <c>name_epoch</c> when also logged per step).</summary>
    /// <param name="destination">Where the values go.</param>
    /// <param name="progressBarOnly">Only metrics logged with <c>progressBar: true</c>.</param>
    internal void CollectEpochValues(IDictionary<string, double> destination, bool progressBarOnly)
    {
        foreach (var metric in metricsInOrder)
        {
            if (!metric.OnEpoch || metric.Updates == 0 || (progressBarOnly && !metric.ProgressBar))
            {
                continue;
            }

            destination[metric.EpochName] = ComputeEpochValue(metric);
        }
    }

    /// <summary>
    /// Adds what callbacks see (Lightning's <c>callback_metrics</c>): epoch values under both the plain and
    /// the forked name, and, when <paramref name="includeStepValues"/>, step values of step-only metrics.
    /// </summary>
    internal void CollectCallbackMetrics(IDictionary<string, double> destination, bool includeStepValues)
    {
        foreach (var metric in metricsInOrder)
        {
            // Lightning keeps both names: the plain name holds the epoch value once the epoch ends,
            // and name_step keeps the last step's value.
            if (includeStepValues && metric.OnStep && (!metric.LatestIsTensor || metric.LatestTensor is not null))
            {
                var value = metric.LatestIsTensor ? metric.LatestTensor!.item<double>() : metric.LatestNumber;
                destination[metric.StepName] = value;
                destination[metric.Name] = value;
            }

            if (metric.OnEpoch && metric.Updates > 0)
            {
                var value = ComputeEpochValue(metric);
                destination[metric.Name] = value;
                destination[metric.EpochName] = value;
            }
        }
    }

    /// <summary>
    /// Reduces the epoch values of metrics logged with <c>syncDist: true</c> across processes (Lightning's
    /// <c>sync_dist</c> at epoch end): a mean all-reduces its weighted sum and its total weight separately,
    /// so the result is the global weighted mean; a sum adds, a min or max takes the extreme. Called once
    /// per epoch before the values are read, on every rank in the same order; every rank must have logged
    /// the same synced names. One process: nothing to do. Metric objects sync their own states when computed.
    /// </summary>
    /// <param name="strategy">The strategy whose collectives combine the values.</param>
    internal void SyncEpochValues(Strategies.Strategy strategy)
    {
        if (strategy.WorldSize == 1)
        {
            return;
        }

        foreach (var metric in metricsInOrder)
        {
            if (!metric.SyncDist || !metric.OnEpoch || metric.Updates == 0 || metric.Source is not null)
            {
                continue;
            }

            metric.SyncedEpochValue = metric.Reduce switch
            {
                MetricReduce.Mean => Divide(AllReduce(strategy, Strategies.ReduceOp.Sum, LocalSum(metric), metric.Weight)),
                MetricReduce.Sum => AllReduce(strategy, Strategies.ReduceOp.Sum, LocalSum(metric))[0],
                MetricReduce.Min => AllReduce(strategy, Strategies.ReduceOp.Min, ComputeEpochValue(metric))[0],
                _ => AllReduce(strategy, Strategies.ReduceOp.Max, ComputeEpochValue(metric))[0],
            };
        }

        static double Divide(double[] sumAndWeight) => sumAndWeight[1] == 0 ? double.NaN : sumAndWeight[0] / sumAndWeight[1];
    }

    private static double LocalSum(LoggedMetric metric)
        => metric.SumNumber + (metric.SumTensor is null ? 0 : metric.SumTensor.item<double>());

    private static double[] AllReduce(Strategies.Strategy strategy, Strategies.ReduceOp op, params double[] values)
    {
        using var scope = torch.NewDisposeScope();
        var tensor = torch.tensor(values, dtype: ScalarType.Float64, device: strategy.Device);
        strategy.AllReduce(tensor, op);
        return tensor.cpu().data<double>().ToArray();
    }

    /// <summary>The names logged so far in this phase, in first-logged order.</summary>
    internal IEnumerable<string> LoggedNames
    {
        get
        {
            foreach (var metric in metricsInOrder)
            {
                yield return metric.Name;
            }
        }
    }

    /// <summary>Clears epoch accumulators so the next epoch starts from zero; step values are kept.</summary>
    internal void ResetEpoch()
    {
        foreach (var metric in metricsInOrder)
        {
            metric.ResetEpoch();
        }
    }

    /// <summary>Resets the metric objects logged in this phase (Lightning resets them once their epoch values are logged).</summary>
    internal void ResetMetricObjects()
    {
        foreach (var metric in metricsInOrder)
        {
            metric.Source?.Reset();
        }
    }

    /// <summary>Frees the accumulator tensors.</summary>
    public void Dispose()
    {
        foreach (var metric in metricsInOrder)
        {
            metric.Dispose();
        }

        metricsInOrder.Clear();
        metricsByName.Clear();
        cachedWeight?.Dispose();
        cachedWeight = null;
    }

    private static double ComputeEpochValue(LoggedMetric metric)
    {
        if (metric.Source is { } source)
        {
            return metric.ComputeSource(source);
        }

        if (metric.SyncedEpochValue is { } synced)
        {
            return synced;
        }

        switch (metric.Reduce)
        {
            case MetricReduce.Mean:
                var sum = LocalSum(metric);
                return metric.Weight == 0 ? double.NaN : sum / metric.Weight;
            case MetricReduce.Sum:
                return LocalSum(metric);
            case MetricReduce.Min:
                var min = metric.ExtremeNumber ?? double.PositiveInfinity;
                return metric.ExtremeTensor is null ? min : Math.Min(min, metric.ExtremeTensor.item<double>());
            default:
                var max = metric.ExtremeNumber ?? double.NegativeInfinity;
                return metric.ExtremeTensor is null ? max : Math.Max(max, metric.ExtremeTensor.item<double>());
        }
    }

    private LoggedMetric GetOrAdd(string name, bool? onStep, bool? onEpoch, bool progressBar, MetricReduce reduce, bool syncDist)
    {
        if (Phase == RunPhase.Predict)
        {
            throw new InvalidOperationException($"Log(\"{name}\") was called during Predict; as in Lightning, predict steps cannot log metrics.");
        }

        var defaultOnStep = Phase == RunPhase.Train;
        var resolvedOnStep = onStep ?? defaultOnStep;
        var resolvedOnEpoch = onEpoch ?? !defaultOnStep;
        if (metricsByName.TryGetValue(name, out var existing))
        {
            if (existing.OnStep != resolvedOnStep || existing.OnEpoch != resolvedOnEpoch || existing.ProgressBar != progressBar || existing.Reduce != reduce || existing.SyncDist != syncDist)
            {
                throw new InvalidOperationException(
                    $"Log(\"{name}\") was called with different options in the same phase: first (onStep: {existing.OnStep}, onEpoch: {existing.OnEpoch}, progressBar: {existing.ProgressBar}, reduce: {existing.Reduce}{SyncText(existing.SyncDist)}), now (onStep: {resolvedOnStep}, onEpoch: {resolvedOnEpoch}, progressBar: {progressBar}, reduce: {reduce}{SyncText(syncDist)}).");
            }

            return existing;
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("Log: the metric name must not be empty.", nameof(name));
        }

        if (!resolvedOnStep && !resolvedOnEpoch)
        {
            throw new ArgumentException($"Log(\"{name}\"): onStep and onEpoch are both false, so the value would go nowhere. Set at least one of them.");
        }

        var metric = new LoggedMetric(name, resolvedOnStep, resolvedOnEpoch, progressBar, reduce, syncDist);
        metricsByName.Add(name, metric);
        metricsInOrder.Add(metric);
        return metric;
    }

    private static string SyncText(bool syncDist) => syncDist ? ", syncDist: True" : string.Empty;

    private static void RequireValueLog(LoggedMetric metric)
    {
        if (metric.Source is not null)
        {
            throw new InvalidOperationException($"Log(\"{metric.Name}\") was given a value, but earlier in this phase the name was logged with a metric object. Log a name either way, not both.");
        }
    }

    private Scalar WeightScalar(long weight)
    {
        if (weight != cachedWeightValue || cachedWeight is null)
        {
            cachedWeight?.Dispose();
            cachedWeight = weight.ToScalar();
            cachedWeightValue = weight;
        }

        return cachedWeight;
    }

    private static Tensor NewAccumulator(Device device, double initialValue)
        => torch.full(1, initialValue, dtype: ScalarType.Float64, device: device).DetachFromDisposeScope();

    private sealed class LoggedMetric(string name, bool onStep, bool onEpoch, bool progressBar, MetricReduce reduce, bool syncDist) : IDisposable
    {
        public string Name { get; } = name;

        public bool OnStep { get; } = onStep;

        public bool OnEpoch { get; } = onEpoch;

        public bool ProgressBar { get; } = progressBar;

        public MetricReduce Reduce { get; } = reduce;

        /// <summary>True when the epoch value is reduced across processes (Lightning's <c>sync_dist</c>).</summary>
        public bool SyncDist { get; } = syncDist;

        /// <summary>The epoch value reduced across processes by <see cref="SyncEpochValues"/>, until the next update or reset.</summary>
        public double? SyncedEpochValue { get; set; }

        public string StepName { get; } = onStep && onEpoch ? name + "_step" : name;

        public string EpochName { get; } = onStep && onEpoch ? name + "_epoch" : name;

        public long UpdatedAtStep { get; set; } = -1;

        public bool LatestIsTensor { get; set; }

        public Tensor? LatestTensor { get; set; }

        public double LatestNumber { get; set; }

        public int Updates { get; set; }

        public double Weight { get; set; }

        public Tensor? SumTensor { get; set; }

        public double SumNumber { get; set; }

        public Tensor? ExtremeTensor { get; set; }

        public double? ExtremeNumber { get; set; }

        /// <summary>The metric object logged under this name, or null for values.</summary>
        public Metric? Source { get; set; }

        private long computedVersion = -1;

        private double computedValue;

        /// <summary>The metric object's value, computed once per change of its states.</summary>
        public double ComputeSource(Metric source)
        {
            if (computedVersion != source.Version)
            {
                using var scope = torch.NewDisposeScope();
                var value = source.Compute();
                if (value.numel() != 1)
                {
                    throw new InvalidOperationException($"Log(\"{Name}\"): {source.GetType().Name} computed [{string.Join(", ", value.shape)}] values; a logged metric must compute one (Average.None gives one per class).");
                }

                computedValue = value.item<double>();
                computedVersion = source.Version;
            }

            return computedValue;
        }

        public void ResetEpoch()
        {
            Source?.Reset();
            computedVersion = -1;
            Updates = 0;
            SyncedEpochValue = null;
            Weight = 0;
            SumNumber = 0;
            ExtremeNumber = null;
            SumTensor?.Dispose();
            SumTensor = null;
            ExtremeTensor?.Dispose();
            ExtremeTensor = null;
        }

        public void Dispose()
        {
            ResetEpoch();
            LatestTensor?.Dispose();
            LatestTensor = null;
        }
    }
}
