using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Generators.Parsing;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Reports why an [OnnxExport] class gets no ExportOnnx method, at the expression, statement or class the
/// generator's own translator stopped at, so no export is silently missing.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OnnxExportAnalyzer : VoltAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.OnnxUnsupportedExpression,
        DiagnosticDescriptors.OnnxUnsupportedStatement,
        DiagnosticDescriptors.OnnxUnsupportedClass,
        DiagnosticDescriptors.OnnxRuntimeResolvedSubmodule,
    ];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
    {
        var attribute = start.Compilation.GetTypeByMetadataName(OnnxExportParser.AttributeName);
        if (attribute is null)
        {
            return;
        }

        start.RegisterSymbolAction(context => Analyze(context, attribute), SymbolKind.NamedType);
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute)))
        {
            return;
        }

        OnnxExportParser.Parse(context.Compilation, type, out var problems, context.CancellationToken);
        foreach (var problem in problems)
        {
            var descriptor = problem.Kind switch
            {
                OnnxExportProblemKind.UnsupportedExpression => DiagnosticDescriptors.OnnxUnsupportedExpression,
                OnnxExportProblemKind.UnsupportedStatement => DiagnosticDescriptors.OnnxUnsupportedStatement,
                OnnxExportProblemKind.UnsupportedClass => DiagnosticDescriptors.OnnxUnsupportedClass,
                OnnxExportProblemKind.RuntimeResolvedSubmodule => DiagnosticDescriptors.OnnxRuntimeResolvedSubmodule,
                _ => throw new System.ArgumentOutOfRangeException(nameof(problem), problem.Kind, "A problem kind without a descriptor."),
            };
            context.ReportDiagnostic(Diagnostic.Create(descriptor, problem.Location, problem.Detail));
        }
    }
}
