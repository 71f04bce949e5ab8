using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace Volt.Logging;

/// <summary>
/// Turns a module's hyperparameter record into the name/value dictionary loggers receive
/// (<see cref="IMetricLogger.LogHyperparameters"/>): the record's JSON properties, read back as
/// strings, booleans, integers (<see cref="long"/>), numbers (<see cref="double"/>) or null, in the
/// order the record writes them.
/// </summary>
internal static class HyperparameterValues
{
    /// <summary>Reads <paramref name="hyperparameters"/> into a dictionary; a nested array or object becomes its JSON text.</summary>
    /// <param name="hyperparameters">The module's current hyperparameters.</param>
    public static IReadOnlyDictionary<string, object?> From(IHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            hyperparameters.WriteJsonProperties(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            values[property.Name] = Value(property.Value);
        }

        return values;
    }

    private static object? Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number when value.TryGetInt64(out var whole) => whole,
        JsonValueKind.Number => value.GetDouble(),
        _ => value.GetRawText(),
    };
}
