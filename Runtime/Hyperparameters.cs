using System;
using System.ComponentModel;
using System.IO;
using System.Text;
using System.Text.Json;

namespace Volt;

/// <summary>A module's hyperparameter record; the generator implements it on each module's nested <c>Hyperparameters</c> record.</summary>
public interface IHyperparameters
{
    /// <summary>Writes the hyperparameters as the properties of the JSON object being written.</summary>
    /// <param name="writer">The writer, positioned inside an object.</param>
    void WriteJsonProperties(Utf8JsonWriter writer);
}

/// <summary>Reads and writes <c>hparams.json</c>.</summary>
public static class HyperparameterFile
{
    /// <summary>The file name inside a run directory.</summary>
    public const string FileName = "hparams.json";

    /// <summary>Writes <paramref name="hyperparameters"/> as <c>hparams.json</c> into <paramref name="directory"/> (atomically).</summary>
    /// <param name="directory">The run directory.</param>
    /// <param name="hyperparameters">The record.</param>
    /// <returns>The path of the written file.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static string Save(string directory, IHyperparameters hyperparameters)
    {
        ArgumentNullException.ThrowIfNull(hyperparameters);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            hyperparameters.WriteJsonProperties(writer);
            writer.WriteEndObject();
        }

        var path = Path.Combine(directory, FileName);
        AtomicFile.WriteAllText(path, Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
        return path;
    }

    /// <summary>The property <paramref name="name"/> of saved hyperparameters; the generated readers call it.</summary>
    /// <exception cref="InvalidDataException">The property is missing.</exception>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static JsonElement Property(JsonElement hyperparameters, string name)
        => hyperparameters.ValueKind == JsonValueKind.Object && hyperparameters.TryGetProperty(name, out var value)
            ? value
            : throw new InvalidDataException($"The saved hyperparameters have no '{name}'; they were saved by a different version of the module.");

    /// <summary>True when the saved hyperparameter <paramref name="name"/> is JSON null.</summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static bool IsNull(JsonElement hyperparameters, string name) => Property(hyperparameters, name).ValueKind == JsonValueKind.Null;
}
