using System;

namespace Volt.Cli;

/// <summary>
/// Generates a command line for this module (Lightning's <c>LightningCLI</c>, pytorch/cli.py): a static
/// class <c>&lt;Module&gt;Cli</c> whose <c>Run(args)</c> parses <c>fit | validate | test | predict</c> with
/// options from the module's hyperparameters (<c>--model.*</c>), from <see cref="TrainerOptions"/>
/// (<c>--trainer.*</c>) and from the data module's constructor (<c>--data.*</c>), plus <c>--config</c>,
/// <c>--print-config</c> and <c>--ckpt-path</c> (docs/cli.md).
/// </summary>
/// <param name="dataModule">The data module type: a <see cref="Data.DataModule{TBatch}"/> of the module's batch type with a public constructor.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class GenerateCliAttribute(Type dataModule) : Attribute
{
    /// <summary>The data module type.</summary>
    public Type DataModule { get; } = dataModule;
}
