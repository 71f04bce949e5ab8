using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using Volt.Logging;

namespace Volt.Data;

/// <summary>
/// A module's hyperparameters with its data module's merged in, for <c>hparams.json</c> and the
/// loggers (Lightning's <c>_log_hyperparams</c>, src/lightning/pytorch/loggers/utilities.py): the
/// module's first, then the data module's names the module does not have. A name both have must have
/// the same value, else <see cref="Merge"/> fails before anything is written.
/// </summary>
internal sealed class DataModuleHyperparameters : IHyperparameters
{
    private readonly IHyperparameters module;
    private readonly IReadOnlyList<KeyValuePair<string, object?>> added;

    private DataModuleHyperparameters(IHyperparameters module, IReadOnlyList<KeyValuePair<string, object?>> added)
    {
        this.module = module;
        this.added = added;
    }

    /// <summary>Merges <paramref name="data"/>'s hyperparameters into <paramref name="module"/>'s.</summary>
    /// <param name="module">The module.</param>
    /// <param name="data">The data module's hyperparameters.</param>
    /// <param name="dataModuleName">The data module's type name, for the error.</param>
    /// <returns>The merged record, or the module's own when the data module has none.</returns>
    /// <exception cref="InvalidOperationException">A name is in both with different values; the message names it, both values and both types.</exception>
    /// <exception cref="ArgumentException">A data module value is not a string, bool, number, enum or null.</exception>
    public static IHyperparameters Merge(IVoltModule module, IReadOnlyDictionary<string, object?> data, string dataModuleName)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(data);
        var own = module.CurrentHyperparameters;
        if (data.Count == 0)
        {
            return own;
        }

        var moduleName = module.GetType().Name;
        var values = HyperparameterValues.From(own);
        var clashes = new List<string>();
        var added = new List<KeyValuePair<string, object?>>();
        foreach (var (name, value) in data)
        {
            var normalized = Normalize(name, value, dataModuleName);
            if (!values.TryGetValue(name, out var moduleValue))
            {
                added.Add(new KeyValuePair<string, object?>(name, normalized));
            }
            else if (!SameValue(moduleValue, normalized))
            {
                clashes.Add($"'{name}' ({moduleName}: {Show(moduleValue)}, {dataModuleName}: {Show(normalized)})");
            }
        }

        if (clashes.Count > 0)
        {
            throw new InvalidOperationException(
                $"Error while merging hyperparameters: {string.Join(", ", clashes)} {(clashes.Count == 1 ? "is" : "are")} in both the module's and the data module's hyperparameters with different values. Rename one of them or give them the same value.");
        }

        return new DataModuleHyperparameters(own, added);
    }

    /// <inheritdoc />
    public void WriteJsonProperties(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        module.WriteJsonProperties(writer);
        foreach (var (name, value) in added)
        {
            writer.WritePropertyName(name);
            switch (value)
            {
                case null:
                    writer.WriteNullValue();
                    break;
                case string text:
                    writer.WriteStringValue(text);
                    break;
                case bool flag:
                    writer.WriteBooleanValue(flag);
                    break;
                case long whole:
                    writer.WriteNumberValue(whole);
                    break;
                case double number:
                    writer.WriteNumberValue(number);
                    break;
                default:
                    // Normalize admits only the cases above; anything else is a bug here, not a value to skip.
                    throw new InvalidOperationException($"The data module's hyperparameter '{name}' holds a {value.GetType().Name}, which hparams.json cannot hold.");
            }
        }
    }

    // The values the loggers receive: string, bool, long, double or null (as HyperparameterValues reads the module's).
    private static object? Normalize(string name, object? value, string dataModuleName) => value switch
    {
        null or string or bool or long or double => value,
        int or short or byte or sbyte or uint or ushort => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        float single => (double)single,
        decimal number => (double)number,
        Enum choice => choice.ToString(),
        _ => throw new ArgumentException($"The hyperparameter '{name}' of {dataModuleName} is a {value.GetType().Name}; data module hyperparameters are strings, bools, numbers, enums or null.", nameof(value)),
    };

    private static bool SameValue(object? left, object? right) => (left, right) switch
    {
        (long a, double b) => a == b,
        (double a, long b) => a == b,
        _ => Equals(left, right),
    };

    private static string Show(object? value) => value switch
    {
        null => "null",
        string text => "\"" + text + "\"",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
