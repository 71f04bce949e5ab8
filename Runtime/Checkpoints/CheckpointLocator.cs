using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Volt.Callbacks;

namespace Volt.Checkpoints;

/// <summary>Turns a <c>ckptPath</c> argument (<c>"last"</c>, <c>"best"</c> or a path) into a file.</summary>
internal static class CheckpointLocator
{
    public static string Resolve(string ckptPath, TrainerOptions options, string runName, IReadOnlyList<Callback> callbacks)
    {
        if (ckptPath is not ("last" or "best"))
        {
            var path = Path.GetFullPath(ckptPath);
            return File.Exists(path)
                ? path
                : throw new FileNotFoundException($"ckptPath: the checkpoint '{path}' does not exist.", path);
        }

        var directories = SearchDirectories(options, runName, callbacks);
        var last = directories
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, ModelCheckpoint.LastName + "*" + CheckpointFile.Extension))
            .Select(p => new FileInfo(p))
            .OrderByDescending(f => f.LastWriteTimeUtc)
            .FirstOrDefault();
        if (last is null)
        {
            throw new FileNotFoundException(
                $"ckptPath: \"{ckptPath}\" found no {ModelCheckpoint.LastName}{CheckpointFile.Extension} in: {string.Join(", ", directories)}. "
                + "Resume needs a ModelCheckpoint with SaveLast (the default), or pass the checkpoint's path.");
        }

        if (ckptPath == "last")
        {
            return last.FullName;
        }

        using var reader = CheckpointReader.Open(last.FullName);
        string? best = null;
        if (reader.Root.TryGetProperty("callbacks", out var states))
        {
            foreach (var state in states.EnumerateObject())
            {
                if (state.Name.StartsWith(nameof(ModelCheckpoint), StringComparison.Ordinal)
                    && state.Value.TryGetProperty("bestModelPath", out var bestPath)
                    && bestPath.GetString() is { } candidate)
                {
                    best = candidate;
                    break;
                }
            }
        }
        if (best is null || !File.Exists(best))
        {
            throw new FileNotFoundException(
                $"ckptPath: \"best\": the latest checkpoint '{last.FullName}' names no best checkpoint that exists"
                + (best is null ? " (ModelCheckpoint had no monitored metric)" : $" ('{best}' is gone)") + ".");
        }

        return best;
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
