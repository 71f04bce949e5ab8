using System;
using System.Collections.Generic;
using System.CommandLine;
using System.ComponentModel;
using System.IO;
using System.Linq;

namespace Volt.Cli;

/// <summary>
/// Runs a generated command line: parses the arguments; when <c>--config FILE</c> is given, inserts
/// the file's values for every option the command line does not set and parses again, so the order
/// of precedence is defaults &lt; config file &lt; command line; then invokes the subcommand.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CliRunner
{
    /// <summary>The option that names a YAML config file.</summary>
    public const string ConfigOption = "--config";

    /// <summary>Parses and runs.</summary>
    /// <param name="root">The generated root command.</param>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Standard output (help, <c>--print-config</c>, progress); null for the console.</param>
    /// <param name="error">Standard error (parse errors); null for the console.</param>
    /// <returns>The process exit code: 0 on success, 1 for a bad command line or config file.</returns>
    public static int Run(RootCommand root, IReadOnlyList<string> args, TextWriter? output = null, TextWriter? error = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(args);
        var invocation = new InvocationConfiguration { Output = output ?? Console.Out, Error = error ?? Console.Error };
        var result = root.Parse(args);
        if (result.Errors.Count == 0)
        {
            try
            {
                result = WithConfigFile(root, args, result);
            }
            catch (CliConfigException bad)
            {
                invocation.Error.WriteLine(bad.Message);
                return 1;
            }
        }

        return result.Invoke(invocation);
    }

    /// <summary>Prints epoch metrics one per line, <c>name: value</c>, sorted by name.</summary>
    /// <param name="output">Where to print.</param>
    /// <param name="metrics">The metrics.</param>
    public static void WriteMetrics(TextWriter output, IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var (name, value) in metrics.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{name}: {value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)}");
        }
    }

    private static ParseResult WithConfigFile(RootCommand root, IReadOnlyList<string> args, ParseResult result)
    {
        var command = result.CommandResult.Command;
        if (command.Options.FirstOrDefault(o => o.Name == ConfigOption) is not Option<string?> configOption
            || result.GetValue(configOption) is not { } path)
        {
            return result;
        }

        var inserted = new List<string>();
        foreach (var entry in CliConfigFile.Read(path))
        {
            var name = "--" + entry.Name;
            var option = command.Options.FirstOrDefault(o => o.Name == name || o.Aliases.Contains(name))
                ?? throw new CliConfigException($"--config {path}: line {entry.Line}: '{entry.Name}' is not an option of '{command.Name}'; the options are {string.Join(", ", command.Options.Select(o => o.Name.TrimStart('-')).Where(n => n.Contains('.')))}.");
            if (option.Name == ConfigOption)
            {
                throw new CliConfigException($"--config {path}: line {entry.Line}: a config file cannot name another config file.");
            }

            var given = result.GetResult(option);
            if (entry.Values.Count == 0 || (given is not null && !given.Implicit))
            {
                continue; // null keeps the default; the command line wins over the file.
            }

            inserted.Add(option.Name);
            inserted.AddRange(entry.Values);
        }

        // The options belong to the command that runs: the file's values go right after its name (first when it is the root).
        var commandIndex = command == root ? -1 : args.ToList().IndexOf(command.Name);
        var merged = args.Take(commandIndex + 1).Concat(inserted).Concat(args.Skip(commandIndex + 1)).ToArray();
        return root.Parse(merged);
    }
}
