using Microsoft.CodeAnalysis;

namespace Volt.Generators.Model;

/// <summary>How a command-line option's text becomes its value.</summary>
internal enum CliValueKind
{
    /// <summary>A number, bool or string: System.CommandLine's own parser.</summary>
    Plain,

    /// <summary>An enum: System.CommandLine's parser, limited to the member names (the error lists them).</summary>
    Enum,

    /// <summary>A <c>Volt.BatchLimit</c>: <c>Volt.Cli.CliValues.ParseBatchLimit</c>.</summary>
    BatchLimit,

    /// <summary>A one-dimensional array of plain values or enums: one token per element.</summary>
    Array,
}

/// <summary>One option of the generated command line.</summary>
/// <param name="Section">model, trainer or data.</param>
/// <param name="Key">The kebab-case name inside the section: the option is <c>--{Section}.{Key}</c>.</param>
/// <param name="MemberName">The constructor parameter or TrainerOptions property it fills.</param>
/// <param name="Type">The fully qualified value type.</param>
/// <param name="Kind">How the text is parsed.</param>
/// <param name="DefaultExpression">The default as a C# expression, or null when the option is required.</param>
/// <param name="Description">The help text.</param>
/// <param name="EnumMembers">For an enum (or an array of enums): the member names.</param>
internal sealed record CliOptionModel(
    string Section,
    string Key,
    string MemberName,
    string Type,
    CliValueKind Kind,
    string? DefaultExpression,
    string Description,
    EquatableArray<string> EnumMembers);

/// <summary>A [CliAlias] that names an option of the command line and clashes with nothing.</summary>
/// <param name="Alias">The short name with its dashes: <c>--epochs</c>.</param>
/// <param name="Option">The option it stands for, without dashes: <c>trainer.max-epochs</c>.</param>
internal sealed record CliAliasModel(string Alias, string Option);

/// <summary>What is wrong with a [CliAlias].</summary>
internal enum CliAliasProblemKind
{
    /// <summary>VOLT0072: the alias names no option.</summary>
    UnknownOption,

    /// <summary>VOLT0073: the alias is already an option's name or another alias.</summary>
    Clash,

    /// <summary>VOLT0074: the alias is not an option token (<c>--name</c> or <c>-n</c>).</summary>
    NotAnOptionToken,
}

/// <summary>A [CliAlias] the generator reports and leaves out.</summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Alias">The alias as written.</param>
/// <param name="Detail">The rest of the message.</param>
/// <param name="Location">The attribute.</param>
internal sealed record CliAliasProblem(CliAliasProblemKind Kind, string Alias, string Detail, Location? Location);

/// <summary>The generated command line of one module class.</summary>
/// <param name="Namespace">The module's namespace, or null for the global namespace.</param>
/// <param name="ModuleName">The module's simple name (the CLI class is named after it).</param>
/// <param name="ModuleType">The module's fully qualified type.</param>
/// <param name="IsPublic">Whether the module is public (the CLI class then is too).</param>
/// <param name="DataModuleType">The data module's fully qualified type.</param>
/// <param name="HasValidation">Whether the module has a [ValidationStep] (the validate subcommand).</param>
/// <param name="HasTest">Whether the module has a [TestStep] (the test subcommand).</param>
/// <param name="HasPredict">Whether the module has a [PredictStep] taking the data module's batch type (the predict subcommand).</param>
/// <param name="ModelOptions">The --model.* options: the module's constructor hyperparameters.</param>
/// <param name="TrainerOptions">The --trainer.* options: TrainerOptions' plain properties.</param>
/// <param name="DataOptions">The --data.* options: the data module's constructor parameters.</param>
/// <param name="Aliases">The valid [CliAlias] names.</param>
/// <param name="AliasProblems">The [CliAlias] attributes that are reported and left out.</param>
/// <param name="Problem">Why no command line can be generated, or null.</param>
internal sealed record CliModel(
    string? Namespace,
    string ModuleName,
    string ModuleType,
    bool IsPublic,
    string DataModuleType,
    bool HasValidation,
    bool HasTest,
    bool HasPredict,
    EquatableArray<CliOptionModel> ModelOptions,
    EquatableArray<CliOptionModel> TrainerOptions,
    EquatableArray<CliOptionModel> DataOptions,
    EquatableArray<CliAliasModel> Aliases,
    EquatableArray<CliAliasProblem> AliasProblems,
    string? Problem);
