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
