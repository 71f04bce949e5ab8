using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using Volt.Metrics;
using static TorchSharp.torch;

namespace Volt.Checkpoints;

/// <summary>
/// The metric objects' states in a training checkpoint: the manifest's <c>metrics</c> object names each
/// metric by its submodule path with its type, update count and states; the tensors are stored as
/// <c>metrics/&lt;path&gt;/&lt;state&gt;</c> (an empty concatenated state has no tensor). Restoring them
/// makes a resumed epoch compute the same values as an uninterrupted one.
/// </summary>
internal sealed class MetricCheckpointStates
{
    private const string Prefix = "metrics/";
    private readonly List<(string Path, Metric Metric, List<(MetricState State, Tensor? Tensor)> States)> captured = [];

    /// <summary>Copies the states of every metric of <paramref name="module"/> (into the caller's dispose scope).</summary>
    public static MetricCheckpointStates Capture(nn.Module module)
    {
        var result = new MetricCheckpointStates();
        foreach (var (path, metric) in ModuleMetrics.Find(module))
        {
            result.captured.Add((path, metric, metric.States.Select(s => (s, s.Snapshot())).ToList()));
        }

        return result;
    }

    /// <summary>The tensors to store, with their checkpoint names.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> Tensors()
    {
        foreach (var (path, _, states) in captured)
        {
            foreach (var (state, tensor) in states)
            {
                if (tensor is not null)
                {
                    yield return (TensorName(path, state.Name), tensor);
                }
            }
        }
    }

    /// <summary>Writes the manifest's <c>metrics</c> object.</summary>
    public void WriteManifest(Utf8JsonWriter writer)
    {
        writer.WriteStartObject("metrics");
        foreach (var (path, metric, states) in captured)
        {
            writer.WriteStartObject(path);
            writer.WriteString("type", metric.GetType().FullName);
            writer.WriteNumber("updateCount", metric.UpdateCount);
            writer.WriteStartObject("states");
            foreach (var (state, tensor) in states)
            {
                writer.WriteStartObject(state.Name);
                writer.WriteString("reduction", state.Reduction.ToString());
                if (tensor is null)
                {
                    writer.WriteNull("tensor");
                }
                else
                {
                    writer.WriteString("tensor", TensorName(path, state.Name));
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>
    /// Loads the saved states into the metrics of <paramref name="module"/>. Metrics and states must match
    /// by path, type and name; a checkpoint without metric states (an older Volt) is accepted only when it
    /// resumes at an epoch start, where the metrics are empty anyway.
    /// </summary>
    /// <exception cref="System.IO.InvalidDataException">The saved metrics do not match the module's; the message names the first difference.</exception>
    public static void Restore(CheckpointReader checkpoint, nn.Module module, bool resumesMidEpoch)
    {
        var metrics = ModuleMetrics.Find(module);
        if (!checkpoint.Root.TryGetProperty("metrics", out var saved))
        {
            if (metrics.Count > 0 && resumesMidEpoch)
            {
                throw CheckpointReader.Invalid(
                    checkpoint.Path,
                    $"it resumes in the middle of an epoch but holds no metric states, and the module has the metrics {string.Join(", ", metrics.Select(m => m.Path))}; resume from a checkpoint written at an epoch end");
            }

            return;
        }

        var expected = metrics.Select(m => m.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var entry in saved.EnumerateObject())
        {
            if (!expected.Contains(entry.Name))
            {
                throw CheckpointReader.Invalid(checkpoint.Path, $"it holds the states of a metric '{entry.Name}', which {module.GetType().Name} does not have");
            }
        }

        using var scope = torch.NewDisposeScope();
        foreach (var (path, metric) in metrics)
        {
            if (!saved.TryGetProperty(path, out var description))
            {
                throw CheckpointReader.Invalid(checkpoint.Path, $"it holds no states for the metric '{path}' ({metric.GetType().Name}) of {module.GetType().Name}");
            }

            var type = description.GetProperty("type").GetString();
            if (type != metric.GetType().FullName)
            {
                throw CheckpointReader.Invalid(checkpoint.Path, $"the metric '{path}' was {type} when saved but is {metric.GetType().FullName} now");
            }

            var stateDescriptions = description.GetProperty("states");
            var stored = new List<Tensor?>();
            foreach (var state in metric.States)
            {
                if (!stateDescriptions.TryGetProperty(state.Name, out var stateDescription))
                {
                    throw CheckpointReader.Invalid(checkpoint.Path, $"the metric '{path}' has no saved state '{state.Name}'");
                }

                var tensorName = stateDescription.GetProperty("tensor");
                stored.Add(tensorName.ValueKind == JsonValueKind.Null ? null : checkpoint.ReadTensor(tensorName.GetString()!));
            }

            try
            {
                metric.LoadStates(stored, description.GetProperty("updateCount").GetInt64());
            }
            catch (ArgumentException error)
            {
                throw CheckpointReader.Invalid(checkpoint.Path, $"the states of the metric '{path}' do not fit it ({error.Message})", error);
            }
        }
    }

    private static string TensorName(string path, string state) => Prefix + path + "/" + state;
}
