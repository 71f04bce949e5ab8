using System;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Volt.Generators.Emitting;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Generators;

/// <summary>The [GenerateCli] pipeline: one command-line class per attributed module (docs/cli.md).</summary>
public sealed partial class VoltGenerator
{
    /// <summary>The tracking name of the [GenerateCli] pipeline's models (for caching tests).</summary>
    internal const string CliTrackingName = "CliModules";

    private static void RegisterCli(IncrementalGeneratorInitializationContext context)
    {
        var clis = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                CliParser.GenerateCliAttribute,
                static (node, _) => node is ClassDeclarationSyntax,
                static (attributeContext, cancellationToken) =>
                    attributeContext.TargetSymbol is INamedTypeSymbol type && attributeContext.Attributes.Length == 1
                        ? CliParser.Parse(attributeContext.SemanticModel.Compilation, type, attributeContext.Attributes[0], cancellationToken)
                        : null)
            .Where(static cli => cli is not null)
            .Select(static (cli, _) => cli!)
            .WithTrackingName(CliTrackingName);

        context.RegisterSourceOutput(clis, static (output, cli) =>
        {
            foreach (var alias in cli.AliasProblems)
            {
                output.ReportDiagnostic(Diagnostic.Create(DescriptorFor(alias.Kind), alias.Location ?? Location.None, alias.Alias, cli.ModuleName, alias.Detail));
            }

            if (cli.Problem is { } problem)
            {
                output.ReportDiagnostic(Diagnostic.Create(CliNotGenerated, Location.None, cli.ModuleName, problem));
                return;
            }

            try
            {
                output.AddSource(CliEmitter.HintName(cli), SourceText.From(CliEmitter.Emit(cli, Version), Encoding.UTF8));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                output.ReportDiagnostic(Diagnostic.Create(GeneratorFailed, Location.None, cli.ModuleName + "Cli", exception.Message));
            }
        });
    }

    private static DiagnosticDescriptor DescriptorFor(CliAliasProblemKind kind) => kind switch
    {
        CliAliasProblemKind.UnknownOption => CliAliasUnknownOption,
        CliAliasProblemKind.Clash => CliAliasClash,
        _ => CliAliasNotAnOptionToken,
    };

    /// <summary>VOLT0072: a [CliAlias] for an option the command line does not have.</summary>
    internal static readonly DiagnosticDescriptor CliAliasUnknownOption = new(
        "VOLT0072",
        "The alias names no option of the generated command line",
        "[CliAlias(\"{0}\", ...)] on '{1}': {2}",
        "Volt.Generator",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [CliAlias] names an option of the generated command line without its dashes and with its section: trainer.max-epochs, model.learning-rate, data.batch-size, or ckpt-path.",
        helpLinkUri: "docs/diagnostics.md#volt0072");

    /// <summary>VOLT0073: a [CliAlias] whose name another option or alias has.</summary>
    internal static readonly DiagnosticDescriptor CliAliasClash = new(
        "VOLT0073",
        "The alias clashes with another option or alias",
        "[CliAlias(\"{0}\", ...)] on '{1}': {2}",
        "Volt.Generator",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every name on a command line must mean one option: an alias cannot be an option's own name (--trainer.max-epochs), --help, or an alias given before.",
        helpLinkUri: "docs/diagnostics.md#volt0073");

    /// <summary>VOLT0074: a [CliAlias] that is not an option token.</summary>
    internal static readonly DiagnosticDescriptor CliAliasNotAnOptionToken = new(
        "VOLT0074",
        "The alias is not an option name",
        "[CliAlias(\"{0}\", ...)] on '{1}': {2}",
        "Volt.Generator",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "An alias is written as it is typed: a dash and one letter (-e) or two dashes and a name (--epochs).",
        helpLinkUri: "docs/diagnostics.md#volt0074");

    /// <summary>VOLT0041: [GenerateCli] on a module whose command line cannot be generated.</summary>
    internal static readonly DiagnosticDescriptor CliNotGenerated = new(
        "VOLT0041",
        "No command line can be generated for this module",
        "[GenerateCli] on '{0}': {1}",
        "Volt.Generator",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A generated command line needs a data module type deriving from Volt.Data.DataModule<TBatch>, a top-level non-generic module class, and constructor parameters that are numbers, bools, strings, enums or arrays of them (or have defaults).",
        helpLinkUri: "docs/diagnostics.md#volt0041");
}
