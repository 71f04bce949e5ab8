using System;
using System.Collections.Generic;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Volt.Cli;

/// <summary>
/// Reads a <c>--config</c> YAML file into option names and values: <c>model: { hidden-size: 256 }</c>
/// becomes <c>--model.hidden-size 256</c>; a sequence gives one value per item; <c>null</c> (or an
/// empty value) keeps the option's default.
/// </summary>
public static class CliConfigFile
{
    /// <summary>One option read from the file.</summary>
    /// <param name="Name">The option name with its section, e.g. <c>model.hidden-size</c> (no leading dashes).</param>
    /// <param name="Values">The values as typed in the file; empty when the file says null.</param>
    /// <param name="Line">The 1-based line of the key.</param>
    public sealed record Entry(string Name, IReadOnlyList<string> Values, long Line);

    /// <summary>Reads <paramref name="path"/>.</summary>
    /// <param name="path">The YAML file.</param>
    /// <returns>The entries in file order.</returns>
    /// <exception cref="CliConfigException">The file is missing, is not YAML, or is not a mapping of sections to values.</exception>
    public static IReadOnlyList<Entry> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new CliConfigException($"--config {path}: the file does not exist.");
        }

        var stream = new YamlStream();
        try
        {
            using var reader = new StreamReader(path);
            stream.Load(reader);
        }
        catch (YamlException error)
        {
            throw new CliConfigException($"--config {path}: not valid YAML at line {error.Start.Line}: {error.Message}");
        }

        var entries = new List<Entry>();
        if (stream.Documents.Count == 0)
        {
            return entries;
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new CliConfigException($"--config {path}: the file must be a mapping such as 'trainer: {{ max-epochs: 5 }}'.");
        }

        Flatten(path, prefix: null, root, entries);
        return entries;
    }

    private static void Flatten(string path, string? prefix, YamlMappingNode mapping, List<Entry> entries)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                throw new CliConfigException($"--config {path}: line {keyNode.Start.Line} has a key that is not a plain name.");
            }

            var name = prefix is null ? key : prefix + "." + key;
            switch (valueNode)
            {
                case YamlMappingNode nested:
                    Flatten(path, name, nested, entries);
                    break;
                case YamlSequenceNode sequence:
                    var items = new List<string>();
                    foreach (var item in sequence.Children)
                    {
                        items.Add(item is YamlScalarNode { Value: { } text }
                            ? text
                            : throw new CliConfigException($"--config {path}: '{name}' (line {item.Start.Line}) must be a list of plain values."));
                    }

                    entries.Add(new Entry(name, items, keyNode.Start.Line));
                    break;
                case YamlScalarNode scalar:
                    entries.Add(new Entry(name, IsNull(scalar) ? [] : [scalar.Value!], keyNode.Start.Line));
                    break;
                default:
                    throw new CliConfigException($"--config {path}: '{name}' (line {keyNode.Start.Line}) has an unsupported value.");
            }
        }
    }

    private static bool IsNull(YamlScalarNode scalar)
        => scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";
}

/// <summary>A <c>--config</c> file that cannot be used; the message names the file, the key and the line.</summary>
/// <param name="message">The message.</param>
public sealed class CliConfigException(string message) : Exception(message);
