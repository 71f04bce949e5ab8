using System.IO;
using System.Text;
using System.Text.Json;

namespace Volt.Search;

/// <summary>JSON text of attribute values (Optuna stores attributes as <c>json.dumps(value)</c>).</summary>
internal static class AttributeJson
{
    /// <summary>The JSON literal of <paramref name="text"/>.</summary>
    public static string Quote(string text)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStringValue(text);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The string a JSON literal holds (or the raw text when it is not a string).</summary>
    public static string Unquote(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.ValueKind == JsonValueKind.String ? document.RootElement.GetString()! : json;
    }
}
