using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using Volt.Loops;

namespace Volt.Checkpoints;

/// <summary>
/// What a resume tells the user and records: the file it continues from, the given hyperparameters
/// that differ from the checkpoint's, and <c>resume.json</c> in the new run directory (which also names
/// the earlier run's metrics.csv, since a resumed run writes a new one).
/// </summary>
internal static class ResumeReport
{
    /// <summary>The file name written into the resumed run's directory.</summary>
    public const string FileName = "resume.json";

    public static void Write(CheckpointReader checkpoint, RunContext context)
    {
        var given = GivenHyperparameters(context.Module);
        var saved = checkpoint.Root.TryGetProperty("hyperparameters", out var values) && values.ValueKind == JsonValueKind.Object
            ? values.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText(), StringComparer.Ordinal)
            : [];
        var differences = given.Keys.Union(saved.Keys, StringComparer.Ordinal)
            .Where(name => !given.TryGetValue(name, out var a) || !saved.TryGetValue(name, out var b) || a != b)
            .Order(StringComparer.Ordinal)
            .ToList();

        var messages = context.Messages;
        messages.WriteLine($"Resuming from {checkpoint.Path} (epoch {context.CurrentEpoch}, global step {context.GlobalStep}).");
        if (differences.Count > 0)
        {
            messages.WriteLine(
                "The checkpoint was saved with other hyperparameters than given: "
                + string.Join(", ", differences.Select(name => $"{name} given {Value(given, name)}, checkpoint {Value(saved, name)}"))
                + ". The optimizer state comes from the checkpoint and overrides what ConfigureOptimizers set from these values (such as the learning rate); the module uses the rest as given.");
        }

        messages.Flush();
        if (context.LogDir is not null)
        {
            WriteFile(checkpoint, context, given, saved, differences);
        }
    }

    private static void WriteFile(CheckpointReader checkpoint, RunContext context, Dictionary<string, string> given, Dictionary<string, string> saved, List<string> differences)
    {
        var checkpointDirectory = Path.GetDirectoryName(checkpoint.Path)!;
        var earlierMetrics = Path.Combine(Path.GetDirectoryName(checkpointDirectory) ?? checkpointDirectory, "metrics.csv");
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("checkpoint", checkpoint.Path);
            writer.WriteNumber("epoch", context.CurrentEpoch);
            writer.WriteNumber("globalStep", context.GlobalStep);
            writer.WriteString("earlierMetrics", File.Exists(earlierMetrics) ? earlierMetrics : null);
            WriteObject(writer, "givenHyperparameters", given);
            WriteObject(writer, "checkpointHyperparameters", saved);
            writer.WriteStartArray("differingHyperparameters");
            foreach (var name in differences)
            {
                writer.WriteStringValue(name);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        AtomicFile.WriteAllText(Path.Combine(context.LogDir!, FileName), Encoding.UTF8.GetString(buffer.ToArray()) + "\n");
    }

    private static void WriteObject(Utf8JsonWriter writer, string name, Dictionary<string, string> values)
    {
        writer.WriteStartObject(name);
        foreach (var (key, raw) in values)
        {
            writer.WritePropertyName(key);
            writer.WriteRawValue(raw);
        }

        writer.WriteEndObject();
    }

    private static string Value(Dictionary<string, string> values, string name) => values.TryGetValue(name, out var raw) ? raw : "(none)";

    private static Dictionary<string, string> GivenHyperparameters(IVoltModule module)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            module.CurrentHyperparameters.WriteJsonProperties(writer);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetRawText(), StringComparer.Ordinal);
    }
}
