using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Volt.Cli;

/// <summary>
/// The effective values of one command-line run, by section (<c>model</c>, <c>trainer</c>, <c>data</c>)
/// and key (the option name without its section, e.g. <c>hidden-size</c>): what <c>--print-config</c>
/// prints and what is saved as <c>config.yaml</c> in the run directory. Reading it back with
/// <c>--config</c> gives the same values.
/// </summary>
public sealed class CliConfig
{
    private readonly Dictionary<string, Dictionary<string, YamlNode>> sections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, YamlNode> topLevel = new(StringComparer.Ordinal);

    /// <summary>Adds one value.</summary>
    /// <param name="section">The section (<c>model</c>, <c>trainer</c>, <c>data</c>), or null for a top-level key such as <c>ckpt-path</c>.</param>
    /// <param name="key">The key inside the section.</param>
    /// <param name="value">The value: null, a bool, a number, a string, an enum, a <see cref="BatchLimit"/> or an array of these.</param>
    /// <returns>This config.</returns>
    public CliConfig Add(string? section, string key, object? value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (section is null)
        {
            topLevel[key] = ToYamlValue(value);
            return this;
        }

        if (!sections.TryGetValue(section, out var values))
        {
            values = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            sections.Add(section, values);
        }

        values[key] = ToYamlValue(value);
        return this;
    }

    /// <summary>The config as YAML, sections in the order they were first added.</summary>
    /// <returns>The YAML text.</returns>
    public string ToYaml()
    {
        var document = new YamlMappingNode();
        foreach (var (key, value) in topLevel)
        {
            document.Add(key, value);
        }

        foreach (var (name, values) in sections)
        {
            var section = new YamlMappingNode();
            foreach (var (key, value) in values)
            {
                section.Add(key, value);
            }

            document.Add(name, section);
        }

        // The representation model writes through YamlDotNet's emitter: no reflection.
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(document)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    /// <summary>Writes <see cref="ToYaml"/> to <paramref name="writer"/>.</summary>
    /// <param name="writer">Where to write.</param>
    public void WriteTo(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(ToYaml());
    }

    // Numbers and bools are plain scalars; strings are quoted so that "null" or "1" stay strings.
    private static YamlNode ToYamlValue(object? value) => value switch
    {
        null => Plain("null"),
        bool flag => Plain(flag ? "true" : "false"),
        string text => new YamlScalarNode(text) { Style = ScalarStyle.DoubleQuoted },
        double number => Plain(number.ToString("R", CultureInfo.InvariantCulture)),
        float number => Plain(number.ToString("R", CultureInfo.InvariantCulture)),
        Enum choice => Plain(choice.ToString()),
        BatchLimit limit => Plain(limit.ToString()),
        IFormattable formattable => Plain(formattable.ToString(null, CultureInfo.InvariantCulture)),
        IEnumerable items => ToYamlList(items),
        _ => new YamlScalarNode(value.ToString()) { Style = ScalarStyle.DoubleQuoted },
    };

    private static YamlScalarNode Plain(string text) => new(text) { Style = ScalarStyle.Plain };

    private static YamlSequenceNode ToYamlList(IEnumerable items)
    {
        var list = new YamlSequenceNode { Style = SequenceStyle.Flow };
        foreach (var item in items)
        {
            list.Add(ToYamlValue(item));
        }

        return list;
    }
}
