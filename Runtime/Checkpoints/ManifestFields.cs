using System.Text.Json;

namespace Volt.Checkpoints;

/// <summary>
/// Typed reads of manifest fields: a missing field or one of the wrong JSON type is an
/// <see cref="System.IO.InvalidDataException"/> naming the checkpoint and the field's path (for example
/// <c>loop.epoch</c>), never System.Text.Json's "requires an element of type" message.
/// </summary>
internal static class ManifestFields
{
    /// <summary>The field <paramref name="path"/> (dotted; the last part is the property of <paramref name="parent"/>).</summary>
    public static JsonElement Get(CheckpointReader checkpoint, JsonElement parent, string path)
    {
        var name = path[(path.LastIndexOf('.') + 1)..];
        return parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value)
            ? value
            : throw CheckpointReader.Invalid(checkpoint.Path, $"its manifest has no '{path}'");
    }

    public static JsonElement Object(CheckpointReader checkpoint, JsonElement parent, string path)
        => Expect(checkpoint, Get(checkpoint, parent, path), path, JsonValueKind.Object, "an object");

    public static JsonElement Array(CheckpointReader checkpoint, JsonElement parent, string path)
        => Expect(checkpoint, Get(checkpoint, parent, path), path, JsonValueKind.Array, "an array");

    public static string String(CheckpointReader checkpoint, JsonElement parent, string path)
        => Expect(checkpoint, Get(checkpoint, parent, path), path, JsonValueKind.String, "a string").GetString()!;

    public static int Int32(CheckpointReader checkpoint, JsonElement parent, string path)
    {
        var value = Get(checkpoint, parent, path);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw Wrong(checkpoint, value, path, "a whole number");
    }

    public static long Int64(CheckpointReader checkpoint, JsonElement parent, string path)
    {
        var value = Get(checkpoint, parent, path);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : throw Wrong(checkpoint, value, path, "a whole number");
    }

    public static bool Boolean(CheckpointReader checkpoint, JsonElement parent, string path)
    {
        var value = Get(checkpoint, parent, path);
        return value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : throw Wrong(checkpoint, value, path, "true or false");
    }

    private static JsonElement Expect(CheckpointReader checkpoint, JsonElement value, string path, JsonValueKind kind, string what)
        => value.ValueKind == kind ? value : throw Wrong(checkpoint, value, path, what);

    private static System.IO.InvalidDataException Wrong(CheckpointReader checkpoint, JsonElement value, string path, string what)
        => CheckpointReader.Invalid(checkpoint.Path, $"its manifest field '{path}' is {value.GetRawText()}, not {what}");
}
