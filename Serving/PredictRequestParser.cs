using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Volt.Serving;

/// <summary>A request the server refuses with 400; <see cref="Exception.Message"/> starts with the field.</summary>
internal sealed class BadRequestException(string field, string problem) : Exception($"{field}: {problem}")
{
    public string Field { get; } = field;
}

/// <summary>
/// Reads a <c>POST /predict</c> body, <c>{"inputs": [example, ...]}</c>, where every example is nested
/// arrays of the model's input shape, into one flat float32 buffer. Each problem (invalid JSON, a
/// missing or unknown field, a wrong type, a wrong length, a non-finite number) is reported with the
/// path of the field, such as <c>inputs[2][0][27]</c>.
/// </summary>
internal sealed class PredictRequestParser
{
    /// <summary>The body's one field.</summary>
    public const string InputsField = "inputs";

    private readonly byte[] body;
    private readonly long[] shape;
    private readonly List<string> path = [];
    private readonly List<float> values = [];

    private PredictRequestParser(byte[] body, long[] shape)
    {
        this.body = body;
        this.shape = shape;
    }

    /// <summary>Parses <paramref name="body"/>; returns the values (examples × example size) and the number of examples.</summary>
    /// <exception cref="BadRequestException">The body does not fit; the message names the field.</exception>
    public static (float[] Values, int Examples) Parse(byte[] body, long[] shape)
    {
        var parser = new PredictRequestParser(body, shape);
        var reader = new Utf8JsonReader(body);
        var examples = parser.ParseBody(ref reader);
        return (parser.values.ToArray(), examples);
    }

    private int ParseBody(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new BadRequestException("body", $"expected a JSON object like {{\"{InputsField}\": [...]}}, got {Describe(reader.TokenType)}");
        }

        int? examples = null;
        while (true)
        {
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            var name = reader.GetString()!;
            if (name != InputsField)
            {
                throw new BadRequestException(name, $"unknown field; the body has one field, \"{InputsField}\"");
            }

            if (examples is not null)
            {
                throw new BadRequestException(InputsField, "appears twice");
            }

            path.Add(InputsField);
            examples = ParseExamples(ref reader);
            path.RemoveAt(path.Count - 1);
        }

        if (Next(ref reader, allowEnd: true))
        {
            throw new BadRequestException("body", "has more after its closing brace");
        }

        return examples ?? throw new BadRequestException(InputsField, $"missing; send {{\"{InputsField}\": [example, ...]}} with examples of shape {ShapeText(0)}");
    }

    private int ParseExamples(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"expected an array of examples of shape {ShapeText(0)}, got {Describe(reader.TokenType)}");
        }

        var count = 0;
        while (true)
        {
            path.Add($"[{count}]");
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                path.RemoveAt(path.Count - 1);
                break;
            }

            ParseLevel(ref reader, 0);
            path.RemoveAt(path.Count - 1);
            count++;
        }

        return count > 0 ? count : throw Bad("is empty; send at least one example");
    }

    /// <summary>Parses the value the reader is on as dimension <paramref name="dimension"/> of an example.</summary>
    private void ParseLevel(ref Utf8JsonReader reader, int dimension)
    {
        if (dimension == shape.Length)
        {
            values.Add(Number(ref reader));
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"expected an array of {shape[dimension]} ({ShapeText(dimension)}), got {Describe(reader.TokenType)}");
        }

        var count = 0L;
        while (true)
        {
            path.Add($"[{count}]");
            Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                path.RemoveAt(path.Count - 1);
                break;
            }

            if (count == shape[dimension])
            {
                path.RemoveAt(path.Count - 1);
                throw Bad($"has more than {shape[dimension]} elements; expected shape {ShapeText(dimension)}");
            }

            ParseLevel(ref reader, dimension + 1);
            path.RemoveAt(path.Count - 1);
            count++;
        }

        if (count != shape[dimension])
        {
            throw Bad($"has {count} elements; expected {shape[dimension]} (shape {ShapeText(dimension)})");
        }
    }

    private float Number(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String && IsNonFiniteName(reader.GetString()!))
        {
            throw Bad($"is {reader.GetString()}; inputs must be finite numbers");
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Bad($"expected a number, got {Describe(reader.TokenType)}");
        }

        if (!reader.TryGetDouble(out var number) || !double.IsFinite(number) || !float.IsFinite((float)number))
        {
            throw Bad($"{Encoding.UTF8.GetString(reader.ValueSpan)} is out of the float32 range");
        }

        return (float)number;
    }

    /// <summary>Moves to the next token, turning a JSON syntax error into one that names the field reached.</summary>
    private bool Next(ref Utf8JsonReader reader, bool allowEnd = false)
    {
        try
        {
            if (reader.Read())
            {
                return true;
            }
        }
        catch (JsonException error)
        {
            var rest = Encoding.UTF8.GetString(body.AsSpan((int)reader.BytesConsumed)).TrimStart(' ', '\t', '\r', '\n', ',');
            throw Bad(rest.Length == 0 ? "the body ends early (truncated JSON)"
                : rest.StartsWith('N') || rest.StartsWith('I') || rest.StartsWith("-I", StringComparison.Ordinal) ? $"not valid JSON ({error.Message}); NaN and Infinity are not JSON numbers, send finite numbers"
                : $"not valid JSON ({error.Message})");
        }

        return allowEnd ? false : throw Bad("the body ends early (truncated JSON)");
    }

    private BadRequestException Bad(string problem) => new(path.Count == 0 ? "body" : string.Concat(path), problem);

    private string ShapeText(int dimension) => "[" + string.Join(", ", shape[dimension..]) + "]";

    private static bool IsNonFiniteName(string text)
        => text is "NaN" or "nan" or "Infinity" or "-Infinity" or "inf" or "-inf"
            || (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && !double.IsFinite(number));

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
