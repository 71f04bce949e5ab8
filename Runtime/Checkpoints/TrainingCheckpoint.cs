using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
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

    /// <summary>
    /// Writes the full training state of a running fit to <paramref name="path"/>, with
    /// <paramref name="rngStates"/> (every rank's torch generator state in rank order, from
    /// <see cref="RankRngStates.Gather"/>) as the random state.
    /// </summary>
    internal static void Save(string path, RunContext context, IReadOnlyList<Tensor> rngStates)
    {
        if (!context.IsFitting)
        {
            throw new InvalidOperationException("A training checkpoint can only be saved while Trainer.Fit runs.");
        }

        var fullPath = Path.GetFullPath(path);
        var module = context.Module;
        if (FirstNonFiniteParameter(module.Module) is { } nonFinite)
        {
            throw new NonFiniteTrainingException(
                $"Not writing the checkpoint '{fullPath}': the parameter '{nonFinite}' is not finite (NaN or infinite) in epoch {context.CurrentEpoch}, "
                + $"global step {context.GlobalStep}, so the earlier checkpoints are kept as they are. Training stops; lower the learning rate or clip gradients.");
        }

        context.Hooks.OnSaveCheckpoint(fullPath);
        using var scope = NewDisposeScope();
        var tensors = new List<(string, Tensor)>();
        foreach (var (name, tensor) in module.Module.state_dict())
        {
            tensors.Add((ModelPrefix + name, tensor));
        }

        tensors.AddRange(RankRngStates.Tensors(rngStates));
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

            context.LoopProgress.Write(writer);

            writer.WriteStartObject("rng");
            RankRngStates.WriteManifest(writer, rngStates.Count);
            writer.WriteNumber("shuffleSeed", context.ShuffleSeed);
            writer.WriteEndObject();

            writer.WriteStartArray("optimizers");
            for (var i = 0; i < optimizers.Count; i++)
            {
                writer.WriteStartObject();
                writer.WriteString("type", optimizers[i].GetType().Name);
                writer.WriteString("entry", $"optimizers/{i}.bin");
                writer.WriteString("format", "TorchSharp optimizer state_dict (save_state_dict)");
                writer.WriteStartArray("learningRates");
                foreach (var group in optimizers[i].ParamGroups)
                {
                    writer.WriteNumberValue(group.LearningRate);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("schedulers");
            foreach (var scheduled in context.Schedulers.Scheduled)
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
            context.Hooks.SaveStates(writer);
            writer.WriteEndObject();
            metricStates.WriteManifest(writer);
        }, tensors, blobs);
    }

    /// <summary>
    /// Copies the model weights stored in <paramref name="checkpoint"/> into <paramref name="module"/>.
    /// Keys and shapes must match exactly; the first mismatch is named.
    /// </summary>
    /// <exception cref="InvalidDataException">A parameter is missing, unexpected, or has another shape or dtype.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static void LoadModelState(CheckpointReader checkpoint, nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(module);
        ModuleStateLoader.Load(
            module,
            checkpoint.TensorNames(ModelPrefix).Select(n => n[ModelPrefix.Length..]).ToList(),
            name => checkpoint.ReadTensor(ModelPrefix + name),
            new CheckpointErrors(checkpoint, module.GetType().Name));
    }

    /// <summary>
    /// Reads the saved hyperparameters of a checkpoint for the generated <c>LoadFromCheckpoint</c>:
    /// the checkpoint must have been saved from <paramref name="moduleType"/>, and a missing or malformed
    /// hyperparameter is reported with the file's name.
    /// </summary>
    /// <typeparam name="THyperparameters">The module's hyperparameter record.</typeparam>
    /// <param name="checkpoint">The open checkpoint.</param>
    /// <param name="moduleType">The module class the caller builds.</param>
    /// <param name="fromJson">The generated reader of the record.</param>
    /// <exception cref="InvalidDataException">The checkpoint belongs to another class, or a hyperparameter is missing or of the wrong type.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static THyperparameters ReadHyperparameters<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] THyperparameters>(
        CheckpointReader checkpoint, Type moduleType, Func<JsonElement, THyperparameters> fromJson)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        ArgumentNullException.ThrowIfNull(moduleType);
        ArgumentNullException.ThrowIfNull(fromJson);
        CheckModuleType(checkpoint, moduleType.FullName!);
        var saved = Hyperparameters(checkpoint);
        try
        {
            return fromJson(saved);
        }
        catch (Exception error) when (error is InvalidDataException or InvalidOperationException or FormatException or ArgumentException)
        {
            var field = MismatchedHyperparameter(typeof(THyperparameters), saved);
            throw CheckpointReader.Invalid(
                checkpoint.Path,
                field is null
                    ? $"its hyperparameters do not fit {moduleType.Name} ({error.Message})"
                    : $"its manifest field 'hyperparameters.{field}' does not fit {moduleType.Name}",
                error);
        }
    }

    /// <summary>For the error message only: the saved hyperparameter that is missing or whose JSON kind does not fit the record's property type.</summary>
    private static string? MismatchedHyperparameter([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type record, JsonElement saved)
    {
        foreach (var property in record.GetProperties())
        {
            var name = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            if (!saved.TryGetProperty(name, out var value) && !saved.TryGetProperty(property.Name, out value))
            {
                return name + " (missing)";
            }

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var fits = value.ValueKind switch
            {
                JsonValueKind.Null => !property.PropertyType.IsValueType || Nullable.GetUnderlyingType(property.PropertyType) is not null,
                JsonValueKind.Number => type.IsPrimitive && type != typeof(bool) && type != typeof(char) || type == typeof(decimal),
                JsonValueKind.True or JsonValueKind.False => type == typeof(bool),
                JsonValueKind.String => type == typeof(string) || type.IsEnum,
                _ => false,
            };
            if (!fits)
            {
                return $"{name} = {value.GetRawText()}, not a {type.Name}";
            }
        }

        return null;
    }

    private static void CheckModuleType(CheckpointReader checkpoint, string expected)
    {
        var saved = checkpoint.Root.TryGetProperty("moduleType", out var typeName) && typeName.ValueKind == JsonValueKind.String ? typeName.GetString() : null;
        if (saved != expected)
        {
            throw CheckpointReader.Invalid(checkpoint.Path, $"it was saved from the class {saved ?? "(not recorded)"}, not {expected}");
        }
    }

    private static bool AllFinite(Tensor value)
    {
        if (!value.is_floating_point() || value.numel() == 0)
        {
            return true;
        }

        using var scope = NewDisposeScope();
        return isfinite(value).all().item<bool>();
    }

    /// <summary>The name of the first floating-point parameter or buffer of <paramref name="module"/> that holds NaN or infinity, or null.</summary>
    internal static string? FirstNonFiniteParameter(nn.Module module)
    {
        using var scope = NewDisposeScope();
        foreach (var (name, tensor) in module.state_dict())
        {
            if (!AllFinite(tensor))
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>Restores loop counters, this rank's RNG state, shuffle seed, weights and callback states; optimizers follow when attached.</summary>
    internal static void RestoreForResume(CheckpointReader checkpoint, RunContext context)
    {
        // Read and check everything first; the module and the trainer change only once the whole file is known to be good.
        var root = checkpoint.Root;
        CheckModuleType(checkpoint, context.Module.Module.GetType().FullName!);
        var resumePoint = LoopProgress.ReadResumePoint(checkpoint);
        var rng = ManifestFields.Object(checkpoint, root, "rng");
        var shuffleSeed = ManifestFields.Int64(checkpoint, rng, "rng.shuffleSeed");
        var callbacks = ManifestFields.Object(checkpoint, root, "callbacks");
        var pending = ResumedOptimizerStates.Read(
            checkpoint,
            ManifestFields.Array(checkpoint, root, "optimizers"),
            root.TryGetProperty("schedulers", out var schedulers) ? schedulers : default);
        using var rngState = RankRngStates.ReadOwn(checkpoint, rng, context.Strategy);
        LoadModelState(checkpoint, context.Module.Module);

        context.LoopProgress.ResumeFrom(resumePoint);
        MetricCheckpointStates.Restore(checkpoint, context.Module.Module, resumesMidEpoch: resumePoint.BatchIndex > 0);
        context.ShuffleSeed = shuffleSeed;
        torch.set_rng_state(rngState);
        if (root.TryGetProperty("precision", out var precision))
        {
            context.Precision.LoadState(precision);
        }

        context.Hooks.LoadStates(callbacks);
        context.Resumed = true;
        context.PendingOptimizerStates = pending;
        context.Hooks.OnLoadCheckpoint(checkpoint.Path);
    }

    /// <summary>TorchSharp's managed optimizers (Adam, SGD, ...) can save their state; native ones cannot.</summary>
    internal static TorchSharp.Modules.OptimizerHelper StatefulOptimizer(optim.Optimizer optimizer)
        => optimizer as TorchSharp.Modules.OptimizerHelper
            ?? throw new NotSupportedException($"The optimizer {optimizer.GetType().Name} cannot save its state, so it cannot be checkpointed; use one of TorchSharp's managed optimizers (Adam, AdamW, SGD, RMSprop, ...).");

    /// <summary>The saved hyperparameters object.</summary>
    public static JsonElement Hyperparameters(CheckpointReader checkpoint)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        return ManifestFields.Object(checkpoint, checkpoint.Root, "hyperparameters");
    }

    /// <summary>The messages of <see cref="LoadModelState"/>, naming the checkpoint.</summary>
    private sealed class CheckpointErrors(CheckpointReader checkpoint, string moduleName) : IModuleStateErrors
    {
        public Exception Missing(IReadOnlyList<string> names)
            => CheckpointReader.Invalid(checkpoint.Path, $"it has no weights for the parameter '{names[0]}' of {moduleName}");

        public Exception Unexpected(IReadOnlyList<string> names, IReadOnlyList<string> parameters)
            => CheckpointReader.Invalid(checkpoint.Path, $"it holds the parameter '{names[0]}', which {moduleName} does not have");

        public Exception Mismatch(string name, Tensor stored, Tensor parameter)
            => CheckpointReader.Invalid(
                checkpoint.Path,
                $"the parameter '{name}' has shape [{string.Join(", ", stored.shape)}] {stored.dtype} in the checkpoint but [{string.Join(", ", parameter.shape)}] {parameter.dtype} in {moduleName}");

        public Exception? Reject(string name, Tensor stored)
            => AllFinite(stored)
                ? null
                : CheckpointReader.Invalid(
                    checkpoint.Path,
                    $"the tensor '{ModelPrefix + name}' (entry '{checkpoint.EntryOf(ModelPrefix + name)}') holds values that are not finite (NaN or infinite); it was saved from a diverged model");
    }
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
        var index = 0;
        foreach (var description in optimizers.EnumerateArray())
        {
            var field = $"optimizers[{index++}]";
            using var stream = checkpoint.OpenEntry(ManifestFields.String(checkpoint, description, field + ".entry")).Open();
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            states.Add((ManifestFields.String(checkpoint, description, field + ".type"), buffer.ToArray()));
        }

        var steps = new List<(string, int)>();
        if (schedulers.ValueKind == JsonValueKind.Array)
        {
            index = 0;
            foreach (var description in schedulers.EnumerateArray())
            {
                var field = $"schedulers[{index++}]";
                steps.Add((ManifestFields.String(checkpoint, description, field + ".type"), ManifestFields.Int32(checkpoint, description, field + ".steps")));
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

        var schedulers = context.Schedulers.Scheduled;
        if (schedulerSteps.Count != schedulers.Count)
        {
            throw CheckpointReader.Invalid(path, $"it holds {schedulerSteps.Count} schedulers but the module configured {schedulers.Count}");
        }

        for (var i = 0; i < schedulerSteps.Count; i++)
        {
            var (type, steps) = schedulerSteps[i];
            if (type != schedulers[i].Config.Scheduler.GetType().Name)
            {
                throw CheckpointReader.Invalid(path, $"scheduler #{i + 1} was {type} when saved but is {schedulers[i].Config.Scheduler.GetType().Name} now");
            }

            context.Schedulers.Replay(i, steps);
        }

        for (var i = 0; i < states.Count; i++)
        {
            var configured = context.Optimizers[i].ParamGroups.Select(g => g.LearningRate).ToList();
            Restore(i, context.Optimizers[i]);
            var restored = context.Optimizers[i].ParamGroups.Select(g => g.LearningRate).ToList();
            if (!configured.SequenceEqual(restored))
            {
                context.Messages.WriteLine(
                    $"The optimizer state of the checkpoint sets the learning rate of optimizer #{i + 1} ({states[i].Type}) to {Rates(restored)}, "
                    + $"not {Rates(configured)} as configured now; training continues at {Rates(restored)}, and checkpoints record it under optimizers[].learningRates.");
                context.Messages.Flush();
            }
        }
    }

    private static string Rates(List<double> rates)
        => string.Join(", ", rates.Select(r => r.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));

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
