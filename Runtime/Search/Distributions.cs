using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Volt.Search;

/// <summary>
/// Where a hyperparameter's values come from (Optuna's <c>optuna/distributions.py</c>). Samplers work
/// on the internal representation, a double: the value itself for numbers, the choice index for
/// <see cref="CategoricalDistribution"/>. The JSON form is Optuna's <c>distribution_to_json</c>, so
/// studies in the SQL storages read the same from Python.
/// </summary>
public abstract record Distribution
{
    /// <summary>True when <paramref name="internalValue"/> is a value this distribution can produce.</summary>
    public abstract bool Contains(double internalValue);

    /// <summary>The value a trial sees for <paramref name="internalValue"/>: a double, a long, or the choice.</summary>
    public abstract object? ToExternal(double internalValue);

    /// <summary>Optuna's JSON form: <c>{"name": "FloatDistribution", "attributes": {...}}</c>.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("name", GetType().Name);
            writer.WriteStartObject("attributes");
            WriteAttributes(writer);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Reads Optuna's JSON form (also the pre-3.0 names UniformDistribution, LogUniformDistribution, IntUniformDistribution).</summary>
    /// <exception cref="InvalidDataException">The JSON is not a distribution Volt knows.</exception>
    public static Distribution FromJson(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var name = root.GetProperty("name").GetString();
        var attributes = root.GetProperty("attributes");
        double Number(string key) => attributes.GetProperty(key).GetDouble();
        bool Flag(string key) => attributes.TryGetProperty(key, out var value) && value.ValueKind == JsonValueKind.True;
        return name switch
        {
            nameof(FloatDistribution) => new FloatDistribution(
                Number("low"),
                Number("high"),
                Flag("log"),
                attributes.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.Number ? step.GetDouble() : null),
            nameof(IntDistribution) => new IntDistribution(
                attributes.GetProperty("low").GetInt64(),
                attributes.GetProperty("high").GetInt64(),
                Flag("log"),
                attributes.TryGetProperty("step", out var intStep) ? intStep.GetInt64() : 1),
            nameof(CategoricalDistribution) => new CategoricalDistribution(
                attributes.GetProperty("choices").EnumerateArray().Select(ReadChoice).ToList()),
            "UniformDistribution" => new FloatDistribution(Number("low"), Number("high")),
            "LogUniformDistribution" => new FloatDistribution(Number("low"), Number("high"), Log: true),
            "IntUniformDistribution" => new IntDistribution(attributes.GetProperty("low").GetInt64(), attributes.GetProperty("high").GetInt64()),
            _ => throw new InvalidDataException($"The distribution '{name}' in {json} is not one Volt reads (FloatDistribution, IntDistribution, CategoricalDistribution)."),
        };
    }

    private protected abstract void WriteAttributes(Utf8JsonWriter writer);

    private static object? ReadChoice(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        JsonValueKind.Number when element.TryGetInt64(out var whole) && !element.GetRawText().Contains('.') && !element.GetRawText().Contains('e', StringComparison.OrdinalIgnoreCase) => whole,
        JsonValueKind.Number => element.GetDouble(),
        _ => throw new InvalidDataException($"The choice {element.GetRawText()} is not a string, number, bool or null."),
    };
}

/// <summary>Floats from <paramref name="Low"/> to <paramref name="High"/> (Optuna's <c>FloatDistribution</c>).</summary>
/// <param name="Low">The smallest value.</param>
/// <param name="High">The largest value.</param>
/// <param name="Log">Sample the logarithm uniformly.</param>
/// <param name="Step">Only <c>Low + k·Step</c>; null for a continuous range.</param>
public sealed record FloatDistribution(double Low, double High, bool Log = false, double? Step = null) : Distribution
{
    /// <summary>Checks the range the way Optuna does.</summary>
    /// <exception cref="ArgumentException">Low &gt; High, log with Low ≤ 0, log and step together, or a step ≤ 0.</exception>
    public void Validate(string name)
    {
        if (!(Low <= High) || !double.IsFinite(Low) || !double.IsFinite(High))
        {
            throw new ArgumentException($"The range of '{name}' is [{Low}, {High}]; low must be finite and at most high.");
        }

        if (Log && Step is not null)
        {
            throw new ArgumentException($"'{name}' has both log scale and a step; use one.");
        }

        if (Log && Low <= 0)
        {
            throw new ArgumentException($"'{name}' is log scale, so its low must be above 0 (it is {Low}).");
        }

        if (Step is { } step && !(step > 0))
        {
            throw new ArgumentException($"The step of '{name}' is {step}; it must be above 0.");
        }
    }

    /// <summary>The grid point <c>Low + k·Step</c>, computed in decimal so 0.3·3 is 0.9 and not 0.8999999999999999.</summary>
    public double GridPoint(long k)
    {
        var step = Step ?? throw new InvalidOperationException("A continuous range has no grid points.");
        var fits = Math.Abs(Low) < 1e20 && Math.Abs(High) < 1e20 && step > 1e-20;
        return Math.Min(High, fits ? (double)((decimal)Low + (k * (decimal)step)) : Low + (k * step));
    }

    /// <summary>The number of grid points of a stepped range.</summary>
    public long GridPointCount() => Step is { } step ? (long)Math.Floor(((High - Low) / step) + 1e-9) + 1 : throw new InvalidOperationException("A continuous range has no grid points.");

    /// <summary>The grid point nearest to <paramref name="value"/> (a stepped range).</summary>
    public double NearestGridPoint(double value) => GridPoint(Math.Clamp((long)Math.Round((value - Low) / Step!.Value), 0, GridPointCount() - 1));

    /// <inheritdoc/>
    public override bool Contains(double internalValue)
    {
        if (!(internalValue >= Low && internalValue <= High))
        {
            return false;
        }

        if (Step is not { } step)
        {
            return true;
        }

        var k = (internalValue - Low) / step;
        return Math.Abs(k - Math.Round(k)) < 1e-8;
    }

    /// <inheritdoc/>
    public override object? ToExternal(double internalValue) => internalValue;

    private protected override void WriteAttributes(Utf8JsonWriter writer)
    {
        if (Step is { } step)
        {
            writer.WriteNumber("step", step);
        }
        else
        {
            writer.WriteNull("step");
        }

        writer.WriteNumber("low", Low);
        writer.WriteNumber("high", High);
        writer.WriteBoolean("log", Log);
    }
}

/// <summary>Integers from <paramref name="Low"/> to <paramref name="High"/> in steps of <paramref name="Step"/> (Optuna's <c>IntDistribution</c>).</summary>
/// <param name="Low">The smallest value.</param>
/// <param name="High">The largest value.</param>
/// <param name="Log">Sample the logarithm uniformly (step must be 1).</param>
/// <param name="Step">The distance between values.</param>
public sealed record IntDistribution(long Low, long High, bool Log = false, long Step = 1) : Distribution
{
    /// <summary>Checks the range the way Optuna does.</summary>
    /// <exception cref="ArgumentException">Low &gt; High, a step ≤ 0, log with Low ≤ 0 or with a step other than 1.</exception>
    public void Validate(string name)
    {
        if (Low > High)
        {
            throw new ArgumentException($"The range of '{name}' is [{Low}, {High}]; low must be at most high.");
        }

        if (Step <= 0)
        {
            throw new ArgumentException($"The step of '{name}' is {Step}; it must be at least 1.");
        }

        if (Log && (Low <= 0 || Step != 1))
        {
            throw new ArgumentException($"'{name}' is log scale, so its low must be at least 1 and its step 1 (they are {Low} and {Step}).");
        }
    }

    /// <summary>The number of values.</summary>
    public long Count => ((High - Low) / Step) + 1;

    /// <inheritdoc/>
    public override bool Contains(double internalValue)
        => internalValue >= Low && internalValue <= High && Math.Abs(((internalValue - Low) / Step) - Math.Round((internalValue - Low) / Step)) < 1e-8;

    /// <inheritdoc/>
    public override object? ToExternal(double internalValue) => (long)Math.Round(internalValue);

    private protected override void WriteAttributes(Utf8JsonWriter writer)
    {
        writer.WriteBoolean("log", Log);
        writer.WriteNumber("step", Step);
        writer.WriteNumber("low", Low);
        writer.WriteNumber("high", High);
    }
}

/// <summary>One of a list of choices (Optuna's <c>CategoricalDistribution</c>); the internal value is the index.</summary>
public sealed record CategoricalDistribution : Distribution
{
    /// <summary>Creates the distribution.</summary>
    /// <param name="choices">Strings, numbers, bools or null; at least one.</param>
    /// <exception cref="ArgumentException">No choices, or a choice of another type.</exception>
    public CategoricalDistribution(IReadOnlyList<object?> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        if (choices.Count == 0)
        {
            throw new ArgumentException("A categorical distribution needs at least one choice.", nameof(choices));
        }

        foreach (var choice in choices)
        {
            if (choice is not (null or string or bool or int or long or double or float))
            {
                throw new ArgumentException($"The choice '{choice}' is a {choice!.GetType().Name}; choices are strings, numbers, bools or null (enums go in as their names).", nameof(choices));
            }
        }

        Choices = choices.Select(c => c is int i ? (long)i : c is float f ? (double)f : c).ToArray();
    }

    /// <summary>The choices in order (ints as long, floats as double).</summary>
    public IReadOnlyList<object?> Choices { get; }

    /// <summary>The index of <paramref name="choice"/>.</summary>
    /// <exception cref="ArgumentException">It is not one of the choices.</exception>
    public int IndexOf(object? choice)
    {
        var normalized = choice is int i ? (long)i : choice is float f ? (double)f : choice;
        for (var index = 0; index < Choices.Count; index++)
        {
            if (Equals(Choices[index], normalized))
            {
                return index;
            }
        }

        throw new ArgumentException($"'{choice}' is not one of the choices {string.Join(", ", Choices)}.");
    }

    /// <inheritdoc/>
    public override bool Contains(double internalValue) => internalValue >= 0 && internalValue < Choices.Count && internalValue == Math.Floor(internalValue);

    /// <inheritdoc/>
    public override object? ToExternal(double internalValue) => Choices[(int)internalValue];

    /// <inheritdoc/>
    public bool Equals(CategoricalDistribution? other) => other is not null && Choices.SequenceEqual(other.Choices);

    /// <inheritdoc/>
    public override int GetHashCode() => Choices.Count;

    private protected override void WriteAttributes(Utf8JsonWriter writer)
    {
        writer.WriteStartArray("choices");
        foreach (var choice in Choices)
        {
            switch (choice)
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
                default:
                    writer.WriteNumberValue(Convert.ToDouble(choice, CultureInfo.InvariantCulture));
                    break;
            }
        }

        writer.WriteEndArray();
    }
}
