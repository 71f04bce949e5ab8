using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Callbacks;

/// <summary>Checks and orders the callbacks given to a <see cref="Trainer"/>.</summary>
internal static class TrainerCallbacks
{
    /// <summary>
    /// The callbacks in the order they run: as given, <see cref="ModelCheckpoint"/> callbacks moved last
    /// (Lightning runs them after the others, so they see what the others did), plus a default
    /// <see cref="ModelCheckpoint"/> when <see cref="TrainerOptions.EnableCheckpointing"/> is on and none is
    /// given. A debug run (<see cref="TrainerOptions.FastDevRun"/>) leaves out checkpointing and early stopping.
    /// </summary>
    /// <param name="given">The callbacks passed to the trainer, or null for none.</param>
    /// <param name="options">The resolved options.</param>
    /// <exception cref="ArgumentException">A callback is null, or two share a <see cref="Callback.StateKey"/>.</exception>
    public static IReadOnlyList<Callback> Arrange(IEnumerable<Callback>? given, TrainerOptions options)
    {
        var callbacks = given?.ToList() ?? [];
        Validate(callbacks);
        if (options.FastDevRun > 0)
        {
            callbacks.RemoveAll(c => c is ModelCheckpoint or EarlyStopping);
        }

        var ordered = callbacks.Where(c => c is not ModelCheckpoint).Concat(callbacks.OfType<ModelCheckpoint>()).ToList();
        if (options.EnableCheckpointing && !ordered.OfType<ModelCheckpoint>().Any())
        {
            ordered.Add(new ModelCheckpoint());
        }

        return ordered;
    }

    private static void Validate(List<Callback> callbacks)
    {
        var problems = new List<string>();
        if (callbacks.Any(c => c is null))
        {
            problems.Add("Callbacks holds null; use a list of callback instances");
        }
        else
        {
            foreach (var key in callbacks.GroupBy(c => c.StateKey, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                problems.Add($"Callbacks has several callbacks with the state key \"{key}\"; give each a distinct StateKey so checkpoints can tell their states apart");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid Trainer callbacks:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems), "callbacks");
        }
    }
}
