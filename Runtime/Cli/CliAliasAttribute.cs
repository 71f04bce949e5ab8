using System;

namespace Volt.Cli;

/// <summary>
/// Gives an option of the generated command line a second name, for example
/// <c>[CliAlias("--epochs", "trainer.max-epochs")]</c>: <c>--epochs 3</c> then means
/// <c>--trainer.max-epochs 3</c> (both at once is System.CommandLine's error). The generator reports
/// an alias that names no option (VOLT0072), one that another option or alias already uses (VOLT0073)
/// and one that is not an option token such as <c>--name</c> or <c>-n</c> (VOLT0074).
/// </summary>
/// <param name="alias">The short name, with its dashes: <c>--epochs</c>.</param>
/// <param name="option">The option it stands for, without dashes: <c>trainer.max-epochs</c>, <c>model.learning-rate</c>, <c>data.batch-size</c>, <c>ckpt-path</c>.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class CliAliasAttribute(string alias, string option) : Attribute
{
    /// <summary>The short name, with its dashes.</summary>
    public string Alias { get; } = alias;

    /// <summary>The option it stands for, without dashes.</summary>
    public string Option { get; } = option;
}
