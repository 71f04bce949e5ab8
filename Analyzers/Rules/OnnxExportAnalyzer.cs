using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Generators.Parsing;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Reports why an [OnnxExport] class gets no ExportOnnx method, at the expression, statement or class the
/// generator's own translator stopped at, so no export is silently missing; and (VOLT0063, info) each
/// submodule field whose class is only known when ExportOnnx runs.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OnnxExportAnalyzer : OptInAttributeAnalyzer
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
    private protected override string AttributeName => OnnxExportParser.AttributeName;

    /// <inheritdoc/>
    private protected override IEnumerable<(DiagnosticDescriptor Rule, Location Location, string Detail)> Problems(Compilation compilation, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        OnnxExportParser.Parse(compilation, type, out var problems, cancellationToken);
        return problems.Select(problem => (problem.Kind switch
        {
            OnnxExportProblemKind.UnsupportedExpression => DiagnosticDescriptors.OnnxUnsupportedExpression,
            OnnxExportProblemKind.UnsupportedStatement => DiagnosticDescriptors.OnnxUnsupportedStatement,
            OnnxExportProblemKind.UnsupportedClass => DiagnosticDescriptors.OnnxUnsupportedClass,
            OnnxExportProblemKind.RuntimeResolvedSubmodule => DiagnosticDescriptors.OnnxRuntimeResolvedSubmodule,
            _ => throw new System.ArgumentOutOfRangeException(nameof(type), problem.Kind, "A problem kind without a descriptor."),
        }, problem.Location, problem.Detail));
    }
}
