using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Volt.Callbacks;

namespace Volt.Checkpoints;

/// <summary>Turns a <c>ckptPath</c> argument (<c>"last"</c>, <c>"best"</c> or a path) into a file. See docs/checkpoints.md, "Resume".</summary>
internal static class CheckpointLocator
{
    private static readonly string[] Keywords = ["last", "best"];

    public static string Resolve(string ckptPath, TrainerOptions options, string runName, IReadOnlyList<Callback> callbacks)
    {
        if (ckptPath is not ("last" or "best"))
        {
            return ExistingFile(ckptPath);
        }

        var directories = SearchDirectories(options, runName, callbacks);
        var candidates = directories
            .Where(Directory.Exists)
            .Select(d =>
            {
                TemporaryFiles.RemoveStray(d, CheckpointFile.Extension);
                return Directory.EnumerateFiles(d, ModelCheckpoint.LastName + "*" + CheckpointFile.Extension)
                    .Select(p => new FileInfo(p))
                    .OrderByDescending(f => f.LastWriteTimeUtc)
                    .FirstOrDefault();
            })
            .OfType<FileInfo>()
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .ToList();
        if (candidates.Count == 0)
        {
            throw new FileNotFoundException(
                $"ckptPath: \"{ckptPath}\" found no {ModelCheckpoint.LastName}{CheckpointFile.Extension} in: {string.Join(", ", directories)}. "
                + "Resume needs a ModelCheckpoint with SaveLast (the default), or pass the checkpoint's path.");
        }

        var last = candidates[0].FullName;
        RequireOneRun(ckptPath, candidates.Select(c => c.FullName).ToList());
        if (ckptPath == "last")
        {
            return last;
        }

        using var reader = CheckpointReader.Open(last);
        string? best = null;
        if (reader.Root.TryGetProperty("callbacks", out var states) && states.ValueKind == JsonValueKind.Object)
        {
            foreach (var state in states.EnumerateObject())
            {
                if (state.Name.StartsWith(nameof(ModelCheckpoint), StringComparison.Ordinal)
                    && state.Value.ValueKind == JsonValueKind.Object
                    && ModelCheckpoint.SavedBestPath(state.Value, last) is { } candidate)
                {
                    best = candidate;
                    break;
                }
            }
        }

        if (best is null || !File.Exists(best))
        {
            throw new FileNotFoundException(
                $"ckptPath: \"best\": the latest checkpoint '{last}' names no best checkpoint that exists"
                + (best is null ? " (ModelCheckpoint had no monitored metric)" : $" ('{best}' is gone)") + ".");
        }

        return best;
    }

    /// <summary>
    /// "last" must not continue another run silently: the newest last.ckpt of each candidate directory must
    /// agree on the module class, the hyperparameters and the shuffle seed, or the choice is left to the caller.
    /// </summary>
    private static void RequireOneRun(string ckptPath, List<string> candidates)
    {
        if (candidates.Count < 2)
        {
            return;
        }

        var identities = candidates.Select(path => (Path: path, Identity: RunIdentity(path))).ToList();
        if (identities.Select(i => i.Identity).Distinct(StringComparer.Ordinal).Count() == 1)
        {
            return;
        }

        throw new InvalidOperationException(
            $"ckptPath: \"{ckptPath}\" is ambiguous: these checkpoints come from runs with different settings, so which run to continue is unclear. "
            + "Pass the path of the one to resume:" + string.Concat(identities.Select(i => Environment.NewLine + "  " + i.Path + "  " + i.Identity)));
    }

    /// <summary>What tells two runs apart in a checkpoint: module class, hyperparameters and shuffle seed.</summary>
    private static string RunIdentity(string path)
    {
        using var reader = CheckpointReader.Open(path);
        var root = reader.Root;
        var type = root.TryGetProperty("moduleType", out var moduleType) ? moduleType.GetRawText() : "?";
        var hyperparameters = root.TryGetProperty("hyperparameters", out var values) ? values.GetRawText() : "{}";
        var seed = root.TryGetProperty("rng", out var rng) && rng.ValueKind == JsonValueKind.Object && rng.TryGetProperty("shuffleSeed", out var s) ? s.GetRawText() : "?";
        return $"{type.Trim('"')} hyperparameters {Compact(hyperparameters)}, shuffle seed {seed}";
    }

    private static string Compact(string json)
    {
        using var document = JsonDocument.Parse(json);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            document.RootElement.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string ExistingFile(string ckptPath)
    {
        var path = Path.GetFullPath(ckptPath);
        if (File.Exists(path))
        {
            return path;
        }

        if (Directory.Exists(path))
        {
            throw new IOException($"ckptPath: '{path}' is a directory; pass a {CheckpointFile.Extension} file inside it, or \"last\" or \"best\".");
        }

        var nearMiss = Keywords
            .Select(keyword => (Keyword: keyword, Distance: EditDistance(ckptPath, keyword)))
            .Where(k => k.Distance <= 2)
            .OrderBy(k => k.Distance)
            .Select(k => k.Keyword)
            .FirstOrDefault();
        throw new FileNotFoundException(
            $"ckptPath: the checkpoint '{path}' does not exist" + (nearMiss is null ? "." : $"; did you mean \"{nearMiss}\"?"), path);
    }

    /// <summary>The edit distance of a bare word to a keyword, ignoring case ("lats" is 2 from "last"); paths count as far.</summary>
    private static int EditDistance(string value, string keyword)
    {
        if (value.IndexOfAny(['/', '\\', '.']) >= 0 || Math.Abs(value.Length - keyword.Length) > 2)
        {
            return int.MaxValue;
        }

        var a = value.ToLowerInvariant();
        var previous = Enumerable.Range(0, keyword.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[keyword.Length + 1];
            current[0] = i;
            for (var j = 1; j <= keyword.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == keyword[j - 1] ? 0 : 1);
                current[j] = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), substitution);
            }

            previous = current;
        }

        return previous[keyword.Length];
    }

    private static List<string> SearchDirectories(TrainerOptions options, string runName, IReadOnlyList<Callback> callbacks)
    {
        var directories = callbacks.OfType<ModelCheckpoint>()
            .Where(c => c.DirPath is not null)
            .Select(c => Path.GetFullPath(c.DirPath!))
            .ToList();
        var runRoot = Path.GetFullPath(Path.Combine(options.DefaultRootDir, "runs", runName));
        if (Directory.Exists(runRoot))
        {
            directories.AddRange(Directory.EnumerateDirectories(runRoot, "version_*").Select(v => Path.Combine(v, "checkpoints")));
        }

        directories.Add(Path.GetFullPath(Path.Combine(options.DefaultRootDir, "checkpoints")));
        return directories.Distinct(StringComparer.Ordinal).ToList();
    }
}
