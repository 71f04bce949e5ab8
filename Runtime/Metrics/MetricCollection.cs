using System;
using System.Collections;
using System.Collections.Generic;
using TorchSharp;
using Volt.Metrics.Classification;
using static TorchSharp.torch;

namespace Volt.Metrics;

/// <summary>
/// Several metrics updated together with the same predictions and targets (torchmetrics'
/// <c>MetricCollection</c>). It is a module, so its metrics are submodules: they move with the module
/// and are checkpointed under <c>&lt;field&gt;.&lt;name&gt;</c>. Log each one by name:
/// <c>foreach (var (name, metric) in collection) Log(name, metric);</c>.
/// </summary>
public sealed class MetricCollection : nn.Module, IEnumerable<KeyValuePair<string, Metric>>
{
    private readonly List<KeyValuePair<string, Metric>> metrics = [];

    /// <summary>Creates an empty collection; add metrics with <see cref="Add"/> or a collection initializer.</summary>
    /// <param name="prefix">Put before every name <see cref="Compute"/> and enumeration return (e.g. <c>"val_"</c>).</param>
    public MetricCollection(string prefix = "")
        : base(nameof(MetricCollection))
    {
        ArgumentNullException.ThrowIfNull(prefix);
        Prefix = prefix;
    }

    /// <summary>The prefix of every returned name.</summary>
    public string Prefix { get; }

    /// <summary>The number of metrics.</summary>
    public int Count => metrics.Count;

    /// <summary>The metric added as <paramref name="name"/> (without the prefix).</summary>
    /// <exception cref="KeyNotFoundException">No metric has that name.</exception>
    public Metric this[string name]
    {
        get
        {
            foreach (var (key, metric) in metrics)
            {
                if (key == name)
                {
                    return metric;
                }
            }

            throw new KeyNotFoundException($"The metric collection has no metric named '{name}'; it has: {string.Join(", ", metrics.ConvertAll(m => m.Key))}.");
        }
    }

    /// <summary>Adds <paramref name="metric"/> as <paramref name="name"/>; the collection owns it from now on.</summary>
    /// <param name="name">A name unique in the collection (a valid submodule name: no dots).</param>
    /// <param name="metric">The metric.</param>
    /// <exception cref="ArgumentException">The name is empty, contains a dot, or is taken.</exception>
    public void Add(string name, Metric metric)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(metric);
        if (name.Contains('.', StringComparison.Ordinal))
        {
            throw new ArgumentException($"The metric name '{name}' contains a dot; submodule names cannot.", nameof(name));
        }

        foreach (var (key, _) in metrics)
        {
            if (key == name)
            {
                throw new ArgumentException($"The metric collection already has a metric named '{name}'.", nameof(name));
            }
        }

        metrics.Add(new(name, metric));
        register_module(name, metric);
    }

    /// <summary>
    /// Updates every metric with the batch. Counting classification metrics of equal tasks (say
    /// <c>Accuracy</c> and <c>F1Score</c> of one <see cref="ClassificationTask"/>) share the work, as
    /// torchmetrics' compute groups do: the batch's confusion bins are computed once and each of them adds
    /// them to its own counts, so each still resets, forwards and checkpoints on its own.
    /// </summary>
    /// <param name="preds">The predictions.</param>
    /// <param name="target">The ground truth.</param>
    public void Update(Tensor preds, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(preds);
        ArgumentNullException.ThrowIfNull(target);
        // Bins computed on the host make no tensor, so the dispose scope is opened only when one is made.
        DisposeScope? scope = null;
        try
        {
            var computed = new List<(ConfusionCountsMetric Source, BatchBins Bins)>();
            foreach (var (_, metric) in metrics)
            {
                if (metric is not ConfusionCountsMetric counting)
                {
                    metric.Update(preds, target);
                    continue;
                }

                if (SharedBins(computed, counting) is not { } bins)
                {
                    if (!counting.TryHostBins(preds, target, out bins))
                    {
                        scope ??= torch.NewDisposeScope();
                        bins = counting.Bins(preds, target);
                    }

                    computed.Add((counting, bins));
                }

                counting.UpdateFromBins(bins);
            }
        }
        finally
        {
            scope?.Dispose();
        }
    }

    /// <summary>Computes every metric; the tensors belong to the caller's dispose scope.</summary>
    /// <returns>The values by prefixed name, in the order the metrics were added.</returns>
    public Dictionary<string, Tensor> Compute()
    {
        var values = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, metric) in metrics)
        {
            values[Prefix + name] = metric.Compute();
        }

        return values;
    }

    /// <summary>Resets every metric.</summary>
    public void Reset()
    {
        foreach (var (_, metric) in metrics)
        {
            metric.Reset();
        }
    }

    /// <summary>The metrics by prefixed name, in the order they were added.</summary>
    public IEnumerator<KeyValuePair<string, Metric>> GetEnumerator()
    {
        foreach (var (name, metric) in metrics)
        {
            yield return new(Prefix + name, metric);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The bins already computed this batch by a metric whose bins fit <paramref name="metric"/>, or null.</summary>
    private static BatchBins? SharedBins(List<(ConfusionCountsMetric Source, BatchBins Bins)> computed, ConfusionCountsMetric metric)
    {
        foreach (var (source, bins) in computed)
        {
            if (metric.SharesBinsWith(source))
            {
                return bins;
            }
        }

        return null;
    }
}
