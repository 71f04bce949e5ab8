using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Volt.Checkpoints;

namespace Volt.Callbacks;

/// <summary>
/// Saves training checkpoints (Lightning's <c>ModelCheckpoint</c>): by default after each validation
/// run (or training epoch, without validation), keeping the best one by the module's
/// <see cref="MonitorAttribute"/> plus <c>last.ckpt</c>. Files are written atomically, and old top-k
/// files are deleted only after the new one is in place.
/// </summary>
/// <remarks>
/// With several processes, every rank runs the same decisions and global rank 0 alone writes and deletes
/// files; file names are taken from rank 0, and the other ranks wait at a barrier after each save. Log the
/// monitored metric with <c>syncDist: true</c> so every rank ranks checkpoints by the same value (Lightning
/// warns about this too).
/// </remarks>
public sealed partial class ModelCheckpoint : Callback
{
    /// <summary>The name of the last checkpoint (without extension).</summary>
    public const string LastName = "last";

    private readonly Dictionary<string, double> bestKModels = new(StringComparer.Ordinal);
    private string? metric;
    private MonitorMode mode;
    private string? directory;
    private bool savedThisEpoch;
    private long lastGlobalStepSaved;
    private long bestChangesAtLastSave;
    private string? writingCheckpoint;
    private SavedState? restored;

    /// <summary>
    /// Lightning's rule: the class name plus the options that tell two checkpoint callbacks apart, so
    /// several can run side by side and each gets its own state back on resume.
    /// </summary>
    public override string StateKey
        => string.Create(CultureInfo.InvariantCulture, $"ModelCheckpoint{{monitor={Monitor ?? "[Monitor]"}, mode={(Mode?.ToString() ?? "[Monitor]")}, everyNTrainSteps={EveryNTrainSteps}, everyNEpochs={EveryNEpochs}}}");

    /// <summary>The directory; null uses <see cref="CallbackContext.DefaultCheckpointDirectory"/>.</summary>
    public string? DirPath { get; init; }

    /// <summary>
    /// The file name template, for example <c>"{epoch:02d}-{val_acc:.4f}"</c>; null is <c>"{epoch}-{step}"</c>.
    /// Names in braces are replaced by <c>name=value</c> (see <see cref="AutoInsertMetricName"/>), with
    /// Python-style format specs (<c>02d</c>, <c>.4f</c>, <c>.3e</c>).
    /// </summary>
    public string? Filename { get; init; }

    /// <summary>The metric that ranks checkpoints; null uses the module's [Monitor] (no ranking without one).</summary>
    public string? Monitor { get; init; }

    /// <summary>Whether lower or higher is better; null uses the module's [Monitor] (or Min).</summary>
    public MonitorMode? Mode { get; init; }

    /// <summary>How many ranked checkpoints to keep: 0 none, k the best k, -1 all. Default 1.</summary>
    public int SaveTopK { get; init; } = 1;

    /// <summary>Also write <c>last.ckpt</c> at every save. Default true.</summary>
    public bool SaveLast { get; init; } = true;

    /// <summary>Save every N epochs (at validation or epoch end). Default 1; ignored when <see cref="EveryNTrainSteps"/> is set.</summary>
    public int EveryNEpochs { get; init; } = 1;

    /// <summary>Save every N optimizer steps instead of at epoch ends; 0 (default) turns it off.</summary>
    public int EveryNTrainSteps { get; init; }

    /// <summary>Insert <c>name=</c> before each value in the file name. Default true.</summary>
    public bool AutoInsertMetricName { get; init; } = true;

    /// <summary>The best checkpoint so far, or null.</summary>
    public string? BestModelPath { get; private set; }

    /// <summary>The monitored value of <see cref="BestModelPath"/>, or null.</summary>
    public double? BestModelScore { get; private set; }

    /// <summary>The most recent <c>last.ckpt</c>, or null.</summary>
    public string? LastModelPath { get; private set; }

    /// <summary>The kept ranked checkpoints and their scores.</summary>
    public IReadOnlyDictionary<string, double> BestKModels => bestKModels;

    /// <inheritdoc/>
    public override void OnFitStart(CallbackContext context)
    {
        var problems = new List<string>();
        if (SaveTopK < -1)
        {
            problems.Add($"ModelCheckpoint.SaveTopK is {SaveTopK}; use 0 (none), k > 0 (the best k) or -1 (all).");
        }

        if (EveryNEpochs < 1)
        {
            problems.Add($"ModelCheckpoint.EveryNEpochs is {EveryNEpochs}; it must be at least 1.");
        }

        if (EveryNTrainSteps < 0)
        {
            problems.Add($"ModelCheckpoint.EveryNTrainSteps is {EveryNTrainSteps}; it must be 0 (off) or more.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }

        (metric, mode) = MonitoredMetric.Resolve(Monitor, Mode, context);
        directory = Path.GetFullPath(DirPath ?? context.DefaultCheckpointDirectory);
        if (context.Strategy.IsGlobalZero)
        {
            TemporaryFiles.RemoveStray(directory, CheckpointFile.Extension);
        }

        ApplyRestoredState();
    }

    /// <summary>
    /// Lightning's rule (<c>ModelCheckpoint.load_state_dict</c>): the ranking of a resumed checkpoint is
    /// taken over only when this callback writes to the directory the checkpoint's files are in. A
    /// resume into a new run directory starts a fresh ranking there and never prunes the old files.
    /// </summary>
    private void ApplyRestoredState()
    {
        if (restored is not { } state)
        {
            return;
        }

        restored = null;
        if (!string.Equals(state.Directory, directory, StringComparison.Ordinal))
        {
            return;
        }

        BestModelPath = state.BestModelPath is { } best && File.Exists(best) ? best : null;
        BestModelScore = BestModelPath is null ? null : state.BestModelScore;
        LastModelPath = state.LastModelPath;
        foreach (var (path, score) in state.BestKModels)
        {
            if (File.Exists(path))
            {
                bestKModels[path] = score;
            }
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEpochStart(CallbackContext context) => savedThisEpoch = false;

    /// <inheritdoc/>
    public override void OnTrainBatchEnd(CallbackContext context, int batchIndex)
    {
        if (EveryNTrainSteps > 0 && context.GlobalStep % EveryNTrainSteps == 0)
        {
            Save(context, atValidationEnd: false);
        }
        else
        {
            RefreshStaleLast(context);
        }
    }

    /// <inheritdoc/>
    public override void OnValidationEpochEnd(CallbackContext context)
    {
        if (context.IsFitting && !context.IsSanityChecking && EveryNTrainSteps == 0 && (context.CurrentEpoch + 1) % EveryNEpochs == 0)
        {
            savedThisEpoch = true;
            Save(context, atValidationEnd: true);
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEpochEnd(CallbackContext context)
    {
        if (!savedThisEpoch && EveryNTrainSteps == 0 && (context.CurrentEpoch + 1) % EveryNEpochs == 0)
        {
            Save(context, atValidationEnd: false);
        }
        else
        {
            RefreshStaleLast(context);
        }
    }

    /// <summary>
    /// last.ckpt records every checkpoint callback's best path; when another callback (or this one) found a
    /// new best after last.ckpt was written, the best it names may be pruned, so write last.ckpt again.
    /// </summary>
    private void RefreshStaleLast(CallbackContext context)
    {
        if (SaveLast && LastModelPath is not null && !context.IsSanityChecking && context.BestCheckpointChanges != bestChangesAtLastSave)
        {
            WriteLast(context, CurrentMetrics(context));
        }
    }

    /// <summary>Writes last.ckpt at the current position for an interrupt; returns its path, or null without <see cref="SaveLast"/>.</summary>
    internal string? SaveLastAtInterrupt(CallbackContext context)
    {
        if (!SaveLast || directory is null)
        {
            return null;
        }

        WriteLast(context, CurrentMetrics(context));
        return LastModelPath;
    }

    private static Dictionary<string, double> CurrentMetrics(CallbackContext context)
        => new(context.CallbackMetrics, StringComparer.Ordinal)
        {
            ["epoch"] = context.CurrentEpoch,
            ["step"] = context.GlobalStep,
        };

    private void WriteLast(CallbackContext context, Dictionary<string, double> metrics)
    {
        var path = VersionedPath(context, FormatName(LastName, metrics, AutoInsertMetricName), LastModelPath);
        context.SaveCheckpoint(path);
        LastModelPath = path;
        bestChangesAtLastSave = context.BestCheckpointChanges;
    }

    private void Save(CallbackContext context, bool atValidationEnd)
    {
        // Lightning's rule: never during the sanity check, never before the first optimizer step,
        // never twice at the same global step (an accumulating batch does not step).
        if (context.IsSanityChecking || context.GlobalStep == lastGlobalStepSaved)
        {
            return;
        }

        lastGlobalStepSaved = context.GlobalStep;
        var metrics = CurrentMetrics(context);

        if (SaveTopK != 0)
        {
            SaveTopKCheckpoint(context, metrics, atValidationEnd);
        }

        if (SaveLast)
        {
            WriteLast(context, metrics);
        }
    }

    private void SaveTopKCheckpoint(CallbackContext context, Dictionary<string, double> metrics, bool atValidationEnd)
    {
        if (metric is null)
        {
            // Without a monitor the newest checkpoint is the "best"; k = 1 keeps only it.
            var path = VersionedPath(context, FormatName(Filename, metrics, AutoInsertMetricName), BestModelPath);
            var previous = BestModelPath;
            context.SaveCheckpoint(path);
            BestModelPath = path;
            context.BestCheckpointChanges++;
            if (SaveTopK == 1 && previous is not null && previous != path)
            {
                DeleteCheckpoint(context, previous);
            }

            return;
        }

        if (!atValidationEnd && !context.CallbackMetrics.ContainsKey(metric))
        {
            // Saves between validations (or in a fit without validation) cannot rank by a validation
            // metric that does not exist yet; they still write last.ckpt. At a validation end a missing
            // metric is an error.
            return;
        }

        var current = MonitoredMetric.Current(metric, "ModelCheckpoint", context);
        var score = double.IsNaN(current) ? MonitoredMetric.Worst(mode) : current;
        // Lightning's check_monitor_top_k: with several processes a file is replaced only when every rank's value beats its k-th best.
        if (SaveTopK > 0 && bestKModels.Count >= SaveTopK && !context.Strategy.ReduceDecision(MonitoredMetric.IsBetter(score, KthValue(), mode), all: true))
        {
            return;
        }

        var replaceable = SaveTopK > 0 && bestKModels.Count >= SaveTopK ? KthPath() : null;
        var newPath = VersionedPath(context, FormatName(Filename, metrics, AutoInsertMetricName), replaceable);
        context.SaveCheckpoint(newPath);

        // Prune only now that the new file is in place (it may have replaced the pruned one's name).
        while (SaveTopK > 0 && bestKModels.Count >= SaveTopK)
        {
            var worst = KthPath();
            bestKModels.Remove(worst);
            if (worst != newPath)
            {
                DeleteCheckpoint(context, worst);
            }
        }

        bestKModels[newPath] = score;

        var best = mode == MonitorMode.Max ? bestKModels.MaxBy(p => p.Value) : bestKModels.MinBy(p => p.Value);
        BestModelPath = best.Key;
        BestModelScore = best.Value;
        context.BestCheckpointChanges++;
    }

    private double KthValue() => bestKModels[KthPath()];

    private string KthPath()
        => (mode == MonitorMode.Max ? bestKModels.MinBy(p => p.Value) : bestKModels.MaxBy(p => p.Value)).Key;

    /// <summary>The file to write: <paramref name="name"/>, with a version suffix when that file exists; global rank 0 picks it for every rank.</summary>
    private string VersionedPath(CallbackContext context, string name, string? replaceable)
    {
        var path = Path.Combine(directory!, name + CheckpointFile.Extension);
        for (var version = 1; File.Exists(path) && path != replaceable; version++)
        {
            path = Path.Combine(directory!, $"{name}-v{version}{CheckpointFile.Extension}");
        }

        return context.Strategy.BroadcastText(path)!;
    }

    /// <summary>Deletes a checkpoint this callback wrote (on global rank 0); never a file outside its own directory.</summary>
    private void DeleteCheckpoint(CallbackContext context, string path)
    {
        if (!context.Strategy.IsGlobalZero || !string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), directory, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>
    /// Lightning's checkpoint name rules: <c>{name}</c> groups become <c>name=value</c> (when
    /// <paramref name="autoInsertMetricName"/>), with an optional Python format spec after a colon;
    /// missing metrics format as 0; the default template is <c>{epoch}-{step}</c>.
    /// </summary>
    public static string FormatName(string? template, IReadOnlyDictionary<string, double> metrics, bool autoInsertMetricName = true)
    {
        template = string.IsNullOrEmpty(template) ? "{epoch}-{step}" : template;
        return Group().Replace(template, match =>
        {
            var name = match.Groups["name"].Value;
            var spec = match.Groups["spec"].Success ? match.Groups["spec"].Value : string.Empty;
            var value = metrics.TryGetValue(name, out var found) ? found : 0;
            var isInteger = name is "epoch" or "step";
            var text = PythonFormat(value, spec, isInteger);
            return autoInsertMetricName ? name + "=" + text : text;
        });
    }

    /// <summary>Formats like Python's format(): <c>d</c>, <c>f</c>, <c>e</c>, <c>g</c>, with zero padding and width.</summary>
    internal static string PythonFormat(double value, string spec, bool isInteger)
    {
        var match = Spec().Match(spec);
        if (spec.Length > 0 && !match.Success)
        {
            throw new FormatException($"The checkpoint file name format spec ':{spec}' is not supported; use forms like 02d, .4f, .3e or .5g.");
        }

        var zeroPad = match.Groups["zero"].Success;
        var width = match.Groups["width"].Success ? int.Parse(match.Groups["width"].Value, CultureInfo.InvariantCulture) : 0;
        var precision = match.Groups["precision"].Success ? int.Parse(match.Groups["precision"].Value, CultureInfo.InvariantCulture) : (int?)null;
        var type = match.Groups["type"].Success ? match.Groups["type"].Value : string.Empty;
        var text = type switch
        {
            "d" => ((long)Math.Round(value)).ToString(CultureInfo.InvariantCulture),
            "f" => value.ToString("F" + (precision ?? 6), CultureInfo.InvariantCulture),
            "e" => Exponent(value, precision ?? 6),
            "g" => value.ToString("G" + (precision ?? 6), CultureInfo.InvariantCulture).ToLowerInvariant(),
            _ when isInteger && value == Math.Floor(value) => ((long)value).ToString(CultureInfo.InvariantCulture),
            _ => value.ToString("R", CultureInfo.InvariantCulture),
        };
        if (text.Length < width)
        {
            text = zeroPad
                ? (text.StartsWith('-') ? "-" + text[1..].PadLeft(width - 1, '0') : text.PadLeft(width, '0'))
                : text.PadLeft(width);
        }

        return text;
    }

    private static string Exponent(double value, int precision)
    {
        var text = value.ToString("E" + precision, CultureInfo.InvariantCulture).ToLowerInvariant();
        var e = text.IndexOf('e');
        var exponent = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
        return text[..e] + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\{(?<name>[^{}:]+)(:(?<spec>[^{}]*))?\}")]
    private static partial Regex Group();

    [GeneratedRegex(@"^(?<zero>0)?(?<width>[1-9]\d*)?(\.(?<precision>\d+))?(?<type>[dfeg])?$")]
    private static partial Regex Spec();

    /// <inheritdoc/>
    public override void OnSaveCheckpoint(CallbackContext context, string path) => writingCheckpoint = path;

    /// <summary>
    /// Paths are stored relative: <c>dirpath</c> relative to the folder of the checkpoint being written,
    /// the files relative to <c>dirpath</c>. A copied or moved run directory therefore names its own files.
    /// </summary>
    public override void SaveState(Utf8JsonWriter writer)
    {
        var baseDirectory = writingCheckpoint is null ? directory! : Path.GetDirectoryName(writingCheckpoint)!;
        writer.WriteString("monitor", metric);
        writer.WriteString("mode", mode.ToString());
        writer.WriteString("dirpath", directory is null ? null : Path.GetRelativePath(baseDirectory, directory));
        writer.WriteString("bestModelPath", Relative(BestModelPath));
        if (BestModelScore is { } score)
        {
            CallbackStateJson.WriteDouble(writer, "bestModelScore", score);
        }

        writer.WriteString("lastModelPath", Relative(LastModelPath));
        writer.WriteStartObject("bestKModels");
        foreach (var (path, value) in bestKModels)
        {
            CallbackStateJson.WriteDouble(writer, Relative(path)!, value);
        }

        writer.WriteEndObject();
    }

    /// <inheritdoc/>
    public override void LoadState(JsonElement state) => restored = SavedState.Read(state);

    /// <inheritdoc/>
    public override void OnLoadCheckpoint(CallbackContext context, string path) => restored = restored?.ResolvedAgainst(Path.GetDirectoryName(path)!);

    /// <summary>
    /// The best checkpoint recorded in a checkpoint callback's saved state, as a full path, or null.
    /// </summary>
    /// <param name="state">The callback's state object from a manifest.</param>
    /// <param name="checkpointPath">The checkpoint file the state was read from.</param>
    internal static string? SavedBestPath(JsonElement state, string checkpointPath)
        => SavedState.Read(state).ResolvedAgainst(Path.GetDirectoryName(Path.GetFullPath(checkpointPath))!).BestModelPath;

    private string? Relative(string? path) => path is null ? null : Path.GetRelativePath(directory!, path);

    /// <summary>A callback state read from a checkpoint, resolved to full paths once the checkpoint's location is known.</summary>
    private sealed record SavedState(string? Directory, string? BestModelPath, double? BestModelScore, string? LastModelPath, IReadOnlyList<(string Path, double Score)> BestKModels)
    {
        public static SavedState Read(JsonElement state)
        {
            static string? Text(JsonElement state, string name)
                => state.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

            var kept = new List<(string, double)>();
            if (state.TryGetProperty("bestKModels", out var models) && models.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in models.EnumerateObject())
                {
                    kept.Add((entry.Name, CallbackStateJson.ReadDouble(entry.Value)));
                }
            }

            return new SavedState(
                Text(state, "dirpath"),
                Text(state, "bestModelPath"),
                state.TryGetProperty("bestModelScore", out var score) ? CallbackStateJson.ReadDouble(score) : null,
                Text(state, "lastModelPath"),
                kept);
        }

        /// <summary>
        /// Full paths: <c>dirpath</c> against the folder of the checkpoint that was read, the files against
        /// <c>dirpath</c> (absolute paths from older checkpoints stay as they are).
        /// </summary>
        public SavedState ResolvedAgainst(string checkpointDirectory)
        {
            var savedDirectory = Path.GetFullPath(Path.Combine(checkpointDirectory, Directory ?? "."));
            string? Full(string? path) => path is null ? null : Path.GetFullPath(Path.Combine(savedDirectory, path));
            return new SavedState(savedDirectory, Full(BestModelPath), BestModelScore, Full(LastModelPath), BestKModels.Select(m => (Full(m.Path)!, m.Score)).ToList());
        }
    }
}
