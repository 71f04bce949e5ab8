using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using static TorchSharp.torch;

namespace Volt.Serving;

/// <summary>A request the server refuses with 400; <see cref="Exception.Message"/> starts with the field.</summary>
public sealed class BadRequestException : Exception
{
    internal BadRequestException(string field, string problem)
        : base($"{field}: {problem}")
    {
        Field = field;
    }

    /// <summary>The path of the field, such as <c>images[2][0][27]</c>, or <c>body</c>.</summary>
    public string Field { get; }
}

/// <summary>
/// Reads a <c>POST /predict</c> body for a generated endpoint with <see cref="Utf8JsonReader"/>: the generated
/// <c>Decode</c> walks the object's fields and calls one Read method per field. Every problem (invalid JSON, a
/// missing, repeated or unknown field, a wrong type, a wrong length, a non-finite number) is a
/// <see cref="BadRequestException"/> with the path of the field, such as <c>images[2][0][27]</c>.
/// Used by generated code only.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public ref struct ServingJsonReader
{
    private readonly byte[] body;
    private readonly List<string> path = [];
    private Utf8JsonReader reader;

    internal ServingJsonReader(byte[] body)
    {
        this.body = body;
        reader = new Utf8JsonReader(body);
    }

    /// <summary>Reads the opening brace of the body.</summary>
    /// <param name="fields">The body's fields, for the message when the body is not an object.</param>
    public void ReadStartObject(string fields)
    {
        Next();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new BadRequestException("body", $"expected a JSON object with the fields {fields}, got {Describe(reader.TokenType)}");
        }
    }

    /// <summary>Moves to the next field of the body; false at its closing brace.</summary>
    public bool ReadPropertyName(out string name)
    {
        Next();
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            name = string.Empty;
            return false;
        }

        name = reader.GetString()!;
        return true;
    }

    /// <summary>Checks that nothing follows the body's closing brace.</summary>
    public void ReadEndOfBody()
    {
        if (Next(allowEnd: true))
        {
            throw new BadRequestException("body", "has more after its closing brace");
        }
    }

    /// <summary>Reads the field <paramref name="field"/>: an array of examples, each nested arrays of <paramref name="exampleShape"/>.</summary>
    /// <param name="field">The JSON field name.</param>
    /// <param name="exampleShape">The shape of one example, from [ExampleShape].</param>
    /// <param name="dtype">Float32, Float64, Int32 or Int64.</param>
    /// <param name="seen">Whether the field was already read (it then appears twice).</param>
    public TensorRows ReadTensor(string field, long[] exampleShape, ScalarType dtype, bool seen)
    {
        var values = new List<double>();
        var count = 0;
        Enter(field, seen);
        Next();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"expected an array of examples of shape {ShapeText(exampleShape, 0)}, got {Describe(reader.TokenType)}");
        }

        while (true)
        {
            path.Add($"[{count}]");
            Next();
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                path.RemoveAt(path.Count - 1);
                break;
            }

            ReadLevel(exampleShape, 0, dtype, values);
            path.RemoveAt(path.Count - 1);
            count++;
        }

        if (count == 0)
        {
            throw Bad("is empty; send at least one example");
        }

        path.RemoveAt(path.Count - 1);
        return TensorRows.FromDecoded(values, dtype, exampleShape, count);
    }

    /// <summary>Reads the number field <paramref name="field"/> (a double).</summary>
    public double ReadDouble(string field, bool seen) => ReadScalar(field, seen, ScalarType.Float64);

    /// <summary>Reads the number field <paramref name="field"/> (a float).</summary>
    public float ReadSingle(string field, bool seen) => (float)ReadScalar(field, seen, ScalarType.Float32);

    /// <summary>Reads the whole-number field <paramref name="field"/> (an int).</summary>
    public int ReadInt32(string field, bool seen) => (int)ReadScalar(field, seen, ScalarType.Int32);

    /// <summary>Reads the whole-number field <paramref name="field"/> (a long).</summary>
    public long ReadInt64(string field, bool seen)
    {
        Enter(field, seen);
        Next();
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value))
        {
            path.RemoveAt(path.Count - 1);
            return value;
        }

        Number(ScalarType.Int64);
        throw Bad("is not a whole number in the int64 range");
    }

    /// <summary>Reads the boolean field <paramref name="field"/>.</summary>
    public bool ReadBoolean(string field, bool seen)
    {
        Enter(field, seen);
        Next();
        if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
        {
            throw Bad($"expected true or false, got {Describe(reader.TokenType)}");
        }

        path.RemoveAt(path.Count - 1);
        return reader.TokenType == JsonTokenType.True;
    }

    /// <summary>Reads the string field <paramref name="field"/>.</summary>
    public string ReadString(string field, bool seen)
    {
        Enter(field, seen);
        Next();
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Bad($"expected a string, got {Describe(reader.TokenType)}");
        }

        path.RemoveAt(path.Count - 1);
        return reader.GetString()!;
    }

    /// <summary>The error for a field the body does not have.</summary>
    /// <param name="name">The field found.</param>
    /// <param name="fields">The body's fields, such as <c>"images"</c>.</param>
    public readonly BadRequestException UnknownField(string name, string fields)
        => new(name, $"unknown field; the body's fields are {fields}");

    /// <summary>The error for a field the body lacks.</summary>
    /// <param name="field">The missing field.</param>
    /// <param name="expected">What it holds, such as <c>an array of examples of shape [1, 28, 28]</c>.</param>
    public static BadRequestException MissingField(string field, string expected)
        => new(field, $"missing; send {expected}");

    /// <summary>Checks that a tensor field has as many examples as the first one: every tensor of a request shares the batch dimension.</summary>
    public static void RequireExamples(string field, TensorRows rows, string firstField, int examples)
    {
        if (rows.Count != examples)
        {
            throw new BadRequestException(field, $"has {rows.Count} examples but \"{firstField}\" has {examples}; every tensor field of a request has the same number of examples");
        }
    }

    /// <summary>The text for a tensor field's expected value, for <see cref="MissingField"/>.</summary>
    public static string TensorExpectation(long[] exampleShape) => $"an array of examples of shape {ShapeText(exampleShape, 0)}";

    private double ReadScalar(string field, bool seen, ScalarType dtype)
    {
        Enter(field, seen);
        Next();
        var number = Number(dtype);
        path.RemoveAt(path.Count - 1);
        return number;
    }

    private void Enter(string field, bool seen)
    {
        if (seen)
        {
            throw new BadRequestException(field, "appears twice");
        }

        path.Add(field);
    }

    /// <summary>Parses the value the reader is on as dimension <paramref name="dimension"/> of an example.</summary>
    private void ReadLevel(long[] shape, int dimension, ScalarType dtype, List<double> values)
    {
        if (dimension == shape.Length)
        {
            values.Add(Number(dtype));
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"expected an array of {shape[dimension]} ({ShapeText(shape, dimension)}), got {Describe(reader.TokenType)}");
        }

        var count = 0L;
        while (true)
        {
            path.Add($"[{count}]");
            Next();
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                path.RemoveAt(path.Count - 1);
                break;
            }

            if (count == shape[dimension])
            {
                path.RemoveAt(path.Count - 1);
                throw Bad($"has more than {shape[dimension]} elements; expected shape {ShapeText(shape, dimension)}");
            }

            ReadLevel(shape, dimension + 1, dtype, values);
            path.RemoveAt(path.Count - 1);
            count++;
        }

        if (count != shape[dimension])
        {
            throw Bad($"has {count} elements; expected {shape[dimension]} (shape {ShapeText(shape, dimension)})");
        }
    }

    /// <summary>The number the reader is on, checked to be finite and to fit <paramref name="dtype"/>.</summary>
    private double Number(ScalarType dtype)
    {
        if (reader.TokenType == JsonTokenType.String && IsNonFiniteName(reader.GetString()!))
        {
            throw Bad($"is {reader.GetString()}; inputs must be finite numbers");
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Bad($"expected a number, got {Describe(reader.TokenType)}");
        }

        var text = Encoding.UTF8.GetString(reader.ValueSpan);
        switch (dtype)
        {
            case ScalarType.Int32:
                return reader.TryGetInt32(out var int32) ? int32 : throw Bad($"{text} is not a whole number in the int32 range");
            case ScalarType.Int64:
                return reader.TryGetInt64(out var int64) ? int64 : throw Bad($"{text} is not a whole number in the int64 range");
        }

        if (!reader.TryGetDouble(out var number) || !double.IsFinite(number) || (dtype == ScalarType.Float32 && !float.IsFinite((float)number)))
        {
            throw Bad($"{text} is out of the {(dtype == ScalarType.Float32 ? "float32" : "float64")} range");
        }

        return number;
    }

    /// <summary>Moves to the next token, turning a JSON syntax error into one that names the field reached.</summary>
    private bool Next(bool allowEnd = false)
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

    private readonly BadRequestException Bad(string problem) => new(path.Count == 0 ? "body" : string.Concat(path), problem);

    private static string ShapeText(long[] shape, int dimension) => "[" + string.Join(", ", shape[dimension..]) + "]";

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
