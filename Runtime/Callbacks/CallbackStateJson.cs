using System.Globalization;
using System.Text.Json;

namespace Volt.Callbacks;

/// <summary>
/// How callbacks write numbers into their checkpoint state: JSON has no infinity or NaN, so a
/// non-finite double (a best score that was never set, say) is written as its invariant-culture text.
/// </summary>
internal static class CallbackStateJson
{
    /// <summary>Writes <paramref name="value"/> as a number, or as text (<c>"Infinity"</c>, <c>"NaN"</c>) when it is not finite.</summary>
    public static void WriteDouble(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>Reads a double written by <see cref="WriteDouble"/>.</summary>
    public static double ReadDouble(JsonElement value)
        => value.ValueKind == JsonValueKind.String
            ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture)
            : value.GetDouble();
}
