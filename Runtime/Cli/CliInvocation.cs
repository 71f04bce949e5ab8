using System;
using System.CommandLine;
using System.IO;

namespace Volt.Cli;

/// <summary>
/// One parsed run of a generated command line, as a subcommand's action receives it: the effective
/// config, the <see cref="Volt.TrainerOptions"/>, <c>--ckpt-path</c> and factories for the module and
/// the data module built from the <c>--model.*</c> and <c>--data.*</c> options. The generated
/// subcommands (<c>fit</c>, <c>validate</c>, ...) are actions of this shape; <c>&lt;Module&gt;Cli.CreateCommand</c>
/// and <c>&lt;Module&gt;Cli.Configure</c> take your own (docs/cli.md). <c>--trainer.seed</c> has
/// seeded everything before the action runs.
/// </summary>
/// <typeparam name="TModule">The module type.</typeparam>
/// <typeparam name="TDataModule">The data module type.</typeparam>
public sealed class CliInvocation<TModule, TDataModule>
{
    private readonly Func<TModule> createModel;
    private readonly Func<TDataModule> createDataModule;

    /// <summary>Creates an invocation; the generated command line does.</summary>
    /// <param name="parseResult">The parse result.</param>
    /// <param name="config">The effective config.</param>
    /// <param name="trainerOptions">The trainer options from the <c>--trainer.*</c> options.</param>
    /// <param name="ckptPath">The <c>--ckpt-path</c> value, or null.</param>
    /// <param name="createModel">Builds the module from the <c>--model.*</c> options.</param>
    /// <param name="createDataModule">Builds the data module from the <c>--data.*</c> options.</param>
    public CliInvocation(ParseResult parseResult, CliConfig config, TrainerOptions trainerOptions, string? ckptPath, Func<TModule> createModel, Func<TDataModule> createDataModule)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(trainerOptions);
        ArgumentNullException.ThrowIfNull(createModel);
        ArgumentNullException.ThrowIfNull(createDataModule);
        ParseResult = parseResult;
        Config = config;
        TrainerOptions = trainerOptions;
        CkptPath = ckptPath;
        this.createModel = createModel;
        this.createDataModule = createDataModule;
    }

    /// <summary>The parse result: read options you added to the command with <c>ParseResult.GetValue(option)</c>.</summary>
    public ParseResult ParseResult { get; }

    /// <summary>The effective config (defaults &lt; <c>--config</c> file &lt; command line), as <c>--print-config</c> prints it.</summary>
    public CliConfig Config { get; }

    /// <summary>The trainer options from the <c>--trainer.*</c> options.</summary>
    public TrainerOptions TrainerOptions { get; }

    /// <summary>The <c>--ckpt-path</c> value (<c>last</c>, <c>best</c> or a path), or null.</summary>
    public string? CkptPath { get; }

    /// <summary>Where progress and results go (standard output, or the writer given to <c>Run</c>).</summary>
    public TextWriter Output => ParseResult.InvocationConfiguration.Output;

    /// <summary>Where errors go (standard error, or the writer given to <c>Run</c>).</summary>
    public TextWriter Error => ParseResult.InvocationConfiguration.Error;

    /// <summary>Builds a new module from the <c>--model.*</c> options; the caller owns it.</summary>
    /// <returns>The module.</returns>
    public TModule CreateModel() => createModel();

    /// <summary>Builds a new data module from the <c>--data.*</c> options; the caller owns it.</summary>
    /// <returns>The data module.</returns>
    public TDataModule CreateDataModule() => createDataModule();
}
