using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using Volt.Loops;
using static TorchSharp.torch;

namespace Volt.Checkpoints;

/// <summary>What a training checkpoint holds and how it is restored. See docs/checkpoints.md.</summary>
public static class TrainingCheckpoint
{
    private const string ModelPrefix = "model/";
    private const string TorchRngTensor = "rng/torch";

    /// <summary>Writes the full training state of a running fit to <paramref name="path"/>.</summary>
    internal static void Save(string path, RunContext context)
    {
        if (!context.IsFitting)
        {
            throw new InvalidOperationException("A training checkpoint can only be saved while Trainer.Fit runs.");
        }

        var fullPath = Path.GetFullPath(path);
        context.ForEachCallback((callback, c) => callback.OnSaveCheckpoint(c, fullPath));
        var module = context.Module;
        using var scope = NewDisposeScope();
        var tensors = new List<(string, Tensor)>();
        foreach (var (name, tensor) in module.Module.state_dict())
        {
            tensors.Add((ModelPrefix + name, tensor));
        }

        tensors.Add((TorchRngTensor, torch.get_rng_state()));
        var metricStates = MetricCheckpointStates.Capture(module.Module);
        tensors.AddRange(metricStates.Tensors());
        var optimizers = context.Optimizers.ToList();
        var blobs = optimizers
            .Select((optimizer, i) => ($"optimizers/{i}.bin", (Action<Stream>)(stream =>
            {
                using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
                StatefulOptimizer(optimizer).save_state_dict(writer);
            })))
            .ToList();

        CheckpointFile.Write(fullPath, writer =>
        {
            writer.WriteString("createdUtc", DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("moduleType", module.Module.GetType().FullName);
            writer.WriteStartObject("hyperparameters");
            module.CurrentHyperparameters.WriteJsonProperties(writer);
            writer.WriteEndObject();

            writer.WriteStartObject("loop");
            writer.WriteNumber("epoch", context.CurrentEpoch);
            writer.WriteNumber("globalStep", context.GlobalStep);
            writer.WriteNumber("nextBatchIndex", context.NextBatchIndex);
            writer.WriteBoolean("epochFinished", context.EpochFinished);
            writer.WriteEndObject();

            writer.WriteStartObject("rng");
            writer.WriteString("torch", TorchRngTensor);
            writer.WriteNumber("shuffleSeed", context.ShuffleSeed);
            writer.WriteEndObject();

            writer.WriteStartArray("optimizers");
            for (var i = 0; i < optimizers.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("type", optimizers[i].GetType().Name);
                writer.WriteString("entry", $"optimizers/{i}.bin");
                writer.WriteString("format", "TorchSharp optimizer state_dict (save_state_dict)");
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("schedulers");
            foreach (var scheduled in context.Schedulers)
            {
                writer.WriteStartObject();
                writer.WriteString("type", scheduled.Config.Scheduler.GetType().Name);
                writer.WriteNumber("optimizer", scheduled.OptimizerIndex);
                writer.WriteString("interval", scheduled.Config.Interval.ToString());
                writer.WriteNumber("frequency", scheduled.Config.Frequency);
                writer.WriteNumber("steps", scheduled.Steps);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();

            writer.WriteStartObject("precision");
            writer.WriteString("name", context.Precision.Name);
            context.Precision.SaveState(writer);
            writer.WriteEndObject();

            writer.WriteStartObject("callbacks");
            foreach (var callback in context.Callbacks)
            {
                writer.WriteStartObject(callback.StateKey);
                callback.SaveState(writer);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            metricStates.WriteManifest(writer);
        }, tensors, blobs);
    }

    /// <summary>
    /// Copies the model weights stored in <paramref name="checkpoint"/> into <paramref name="module"/>.
    /// Keys and shapes must match exactly; the first mismatch is named.
    /// </summary>
    /// <exception cref="InvalidDataException">A parameter is missing, unexpected, or has another shape or dtype.</exception>
    public static void LoadModelState(CheckpointReader checkpoint, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(module);
        var target = module.state_dict();
        var stored = checkpoint.TensorNames(ModelPrefix).Select(n => n[ModelPrefix.Length..]).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, tensor) in target)
        {
            if (!stored.Contains(name))
            {
                throw CheckpointReader.Invalid(checkpoint.Path, $"it has no weights for the parameter '{name}' of {module.GetType().Name}");
            }
        }

        foreach (var name in stored)
        {
            if (!target.ContainsKey(name))
            {
                throw CheckpointReader.Invalid(checkpoint.Path, $"it holds the parameter '{name}', which {module.GetType().Name} does not have");
            }
        }

        using var noGrad = no_grad();
        foreach (var (name, tensor) in target)
        {
            using var value = checkpoint.ReadTensor(ModelPrefix + name);
            if (!value.shape.SequenceEqual(tensor.shape) || value.dtype != tensor.dtype)
            {
                throw CheckpointReader.Invalid(
                    checkpoint.Path,
                    $"the parameter '{name}' has shape [{string.Join(", ", value.shape)}] {value.dtype} in the checkpoint but [{string.Join(", ", tensor.shape)}] {tensor.dtype} in {module.GetType().Name}");
            }

            tensor.copy_(value);
        }
    }

    /// <summary>Restores loop counters, RNG state, shuffle seed, weights and callback states; optimizers follow when attached.</summary>
    internal static void RestoreForResume(CheckpointReader checkpoint, RunContext context)
    {
        var root = checkpoint.Root;
        var moduleType = root.TryGetProperty("moduleType", out var typeName) ? typeName.GetString() : null;
        var actualType = context.Module.Module.GetType().FullName;
        if (moduleType != actualType)
        {
            throw CheckpointReader.Invalid(checkpoint.Path, $"it was saved from {moduleType ?? "an unknown module"}, not {actualType}");
        }

        LoadModelState(checkpoint, context.Module.Module);
        var loop = Required(checkpoint, root, "loop");
        var epoch = Required(checkpoint, loop, "epoch").GetInt32();
        var finished = Required(checkpoint, loop, "epochFinished").GetBoolean();
        context.CurrentEpoch = finished ? epoch + 1 : epoch;
        context.ResumeBatchIndex = finished ? 0 : Required(checkpoint, loop, "nextBatchIndex").GetInt32();
        context.GlobalStep = Required(checkpoint, loop, "globalStep").GetInt64();
        MetricCheckpointStates.Restore(checkpoint, context.Module.Module, resumesMidEpoch: context.ResumeBatchIndex > 0);

        var rng = Required(checkpoint, root, "rng");
        context.ShuffleSeed = Required(checkpoint, rng, "shuffleSeed").GetInt64();
        using (var state = checkpoint.ReadTensor(Required(checkpoint, rng, "torch").GetString()!))
        {
            torch.set_rng_state(state);
        }

        if (root.TryGetProperty("precision", out var precision))
        {
            context.Precision.LoadState(precision);
        }

        var callbacks = Required(checkpoint, root, "callbacks");
        foreach (var callback in context.Callbacks)
        {
            if (callbacks.TryGetProperty(callback.StateKey, out var state))
            {
                callback.LoadState(state);
            }
        }

        context.Resumed = true;
        context.PendingOptimizerStates = ResumedOptimizerStates.Read(
            checkpoint,
            Required(checkpoint, root, "optimizers"),
            root.TryGetProperty("schedulers", out var schedulers) ? schedulers : default);
        context.ForEachCallback((callback, c) => callback.OnLoadCheckpoint(c, checkpoint.Path));
    }

    /// <summary>TorchSharp's managed optimizers (Adam, SGD, ...) can save their state; native ones cannot.</summary>
    internal static TorchSharp.Modules.OptimizerHelper StatefulOptimizer(optim.Optimizer optimizer)
        => optimizer as TorchSharp.Modules.OptimizerHelper
            ?? throw new NotSupportedException($"The optimizer {optimizer.GetType().Name} cannot save its state, so it cannot be checkpointed; use one of TorchSharp's managed optimizers (Adam, AdamW, SGD, RMSprop, ...).");

    /// <summary>The saved hyperparameters object.</summary>
    public static JsonElement Hyperparameters(CheckpointReader checkpoint) => Required(checkpoint, checkpoint.Root, "hyperparameters");

    private static JsonElement Required(CheckpointReader checkpoint, JsonElement parent, string name)
        => parent.TryGetProperty(name, out var value)
            ? value
            : throw CheckpointReader.Invalid(checkpoint.Path, $"its manifest has no '{name}'");
}

/// <summary>The optimizer states of a checkpoint being resumed, read into memory so the file can be closed.</summary>
internal sealed class ResumedOptimizerStates
{
    private readonly string path;
    private readonly List<(string Type, byte[] State)> states;
    private readonly List<(string Type, int Steps)> schedulerSteps;

    private ResumedOptimizerStates(string path, List<(string Type, byte[] State)> states, List<(string Type, int Steps)> schedulerSteps)
    {
        this.path = path;
        this.states = states;
        this.schedulerSteps = schedulerSteps;
    }

    public static ResumedOptimizerStates Read(CheckpointReader checkpoint, JsonElement optimizers, JsonElement schedulers)
    {
        var states = new List<(string, byte[])>();
        foreach (var description in optimizers.EnumerateArray())
        {
            using var stream = checkpoint.OpenEntry(description.GetProperty("entry").GetString()!).Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            states.Add((description.GetProperty("type").GetString()!, buffer.ToArray()));
        }

        var steps = new List<(string, int)>();
        if (schedulers.ValueKind == JsonValueKind.Array)
        {
            foreach (var description in schedulers.EnumerateArray())
            {
                steps.Add((description.GetProperty("type").GetString()!, description.GetProperty("steps").GetInt32()));
            }
        }

        return new ResumedOptimizerStates(checkpoint.Path, states, steps);
    }

    /// <summary>
    /// Replays each scheduler's saved step count from the initial learning rates (TorchSharp schedulers
    /// have no state_dict), then loads every optimizer's state.
    /// </summary>
    public void Restore(RunContext context)
    {
        if (states.Count != context.Optimizers.Count)
        {
            throw CheckpointReader.Invalid(path, $"it holds {states.Count} optimizer states but the module configured {context.Optimizers.Count}");
        }

        if (schedulerSteps.Count != context.Schedulers.Count)
        {
            throw CheckpointReader.Invalid(path, $"it holds {schedulerSteps.Count} schedulers but the module configured {context.Schedulers.Count}");
        }

        for (var i = 0; i < schedulerSteps.Count; i++)
        {
            var scheduled = context.Schedulers[i];
            var (type, steps) = schedulerSteps[i];
            if (type != scheduled.Config.Scheduler.GetType().Name)
            {
                throw CheckpointReader.Invalid(path, $"scheduler #{i + 1} was {type} when saved but is {scheduled.Config.Scheduler.GetType().Name} now");
            }

            if (scheduled.Config.IsPlateau)
            {
                // ReduceLROnPlateau depends on the metric history, which cannot be replayed; its learning
                // rate comes back with the optimizer state below.
                scheduled.Steps = steps;
                continue;
            }

            for (var step = 0; step < steps; step++)
            {
                scheduled.Config.Scheduler.step();
            }

            scheduled.Steps = steps;
        }

        for (var i = 0; i < states.Count; i++)
        {
            Restore(i, context.Optimizers[i]);
        }
    }

    private void Restore(int index, optim.Optimizer optimizer)
    {
        var (type, state) = states[index];
        if (type != optimizer.GetType().Name)
        {
            throw CheckpointReader.Invalid(path, $"optimizer #{index + 1} was {type} when saved but is {optimizer.GetType().Name} now");
        }

        using var reader = new BinaryReader(new MemoryStream(state));
        try
        {
            TrainingCheckpoint.StatefulOptimizer(optimizer).load_state_dict(reader);
        }
        catch (Exception error) when (error is ArgumentException or EndOfStreamException or InvalidDataException)
        {
            throw CheckpointReader.Invalid(path, $"the state of optimizer #{index + 1} ({type}) does not fit the module's parameters ({error.Message})", error);
        }
    }
}
