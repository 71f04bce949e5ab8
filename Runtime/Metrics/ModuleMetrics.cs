using System.Collections.Generic;
using TorchSharp;

namespace Volt.Metrics;

/// <summary>Finds the metric objects of a module: every <see cref="Metric"/> among its submodules, by path.</summary>
internal static class ModuleMetrics
{
    /// <summary>The module's metrics with their submodule paths (e.g. <c>valF1</c>, <c>metrics.acc</c>), each object once.</summary>
    public static List<(string Path, Metric Metric)> Find(torch.nn.Module module)
    {
        var found = new List<(string, Metric)>();
        var seen = new HashSet<Metric>(ReferenceEqualityComparer.Instance);
        foreach (var (path, submodule) in module.named_modules())
        {
            if (submodule is Metric metric && seen.Add(metric))
            {
                found.Add((path, metric));
            }
        }

        return found;
    }

    /// <summary>Gives every metric of the module the strategy's state sync and empties it: each trainer phase starts fresh.</summary>
    public static void Prepare(torch.nn.Module module, IMetricStateSync? sync)
    {
        foreach (var (_, metric) in Find(module))
        {
            metric.StateSync = sync;
            metric.Reset();
        }
    }
}
