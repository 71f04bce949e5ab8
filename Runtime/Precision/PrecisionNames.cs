using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Precision;

/// <summary>
/// The accepted <see cref="TrainerOptions.Precision"/> values and Lightning's older aliases for them
/// (<c>_PRECISION_INPUT_STR_ALIAS_CONVERSION</c> in <c>src/lightning/fabric/plugins/precision/precision.py</c>).
/// </summary>
internal static class PrecisionNames
{
    /// <summary>The canonical names, in the order messages list them.</summary>
    public static readonly string[] Canonical = ["32-true", "bf16-mixed", "16-mixed", "bf16-true", "16-true", "64-true"];

    /// <summary>Lightning's aliases and the names they stand for, in Lightning's order.</summary>
    private static readonly (string Alias, string Name)[] Aliases = [("64", "64-true"), ("32", "32-true"), ("16", "16-mixed"), ("bf16", "bf16-mixed")];

    /// <summary>The canonical name of <paramref name="precision"/> (itself, or what its alias stands for), or null when it is unknown.</summary>
    public static string? Resolve(string? precision)
    {
        if (precision is null)
        {
            return null;
        }

        if (Canonical.Contains(precision, StringComparer.Ordinal))
        {
            return precision;
        }

        foreach (var (alias, name) in Aliases)
        {
            if (alias == precision)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The problem with <paramref name="precision"/> as one sentence naming the option, or null when it is accepted.</summary>
    public static string? Problem(string? precision)
    {
        if (Resolve(precision) is not null)
        {
            return null;
        }

        var shown = precision is null ? "null" : $"\"{precision}\"";
        var suggestion = Suggest(precision) is { } close ? $"did you mean \"{close}\"? Use" : "use";
        return $"Precision is {shown}; {suggestion} one of: {string.Join(", ", Canonical)}, or Lightning's aliases {string.Join(", ", Aliases.Select(a => a.Alias))}";
    }

    /// <summary>
    /// The note Lightning also gives (as a warning) for the aliases it discourages, "16" and "bf16":
    /// they are mixed precisions although they look like true ones. Null for any other value.
    /// </summary>
    public static string? LegacyAliasNote(string? precision)
        => precision is "16" or "bf16"
            ? $"Precision \"{precision}\" is Lightning's legacy alias of \"{Resolve(precision)}\"; write Precision = \"{Resolve(precision)}\" instead."
            : null;

    /// <summary>The canonical name <paramref name="precision"/> differs from only in case or separators, or null.</summary>
    private static string? Suggest(string? precision)
    {
        if (string.IsNullOrWhiteSpace(precision))
        {
            return null;
        }

        var key = Simplify(precision);
        return Canonical.FirstOrDefault(name => Simplify(name) == key)
            ?? Aliases.Where(a => Simplify(a.Alias) == key).Select(a => a.Alias).FirstOrDefault();
    }

    private static string Simplify(string value)
        => new(value.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
