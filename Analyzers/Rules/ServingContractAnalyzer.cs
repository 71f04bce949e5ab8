using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Generators.Parsing;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Reports why a [Serve] class gets no HTTP contract, at the class, the batch member, the [ExampleShape] or the
/// [PredictStep] the generator's own parser stopped at, so no contract is silently missing.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ServingContractAnalyzer : OptInAttributeAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.ServeUnsupportedClass,
        DiagnosticDescriptors.ServeUnsupportedMember,
    ];

    /// <inheritdoc/>
    private protected override string AttributeName => ServingContractParser.AttributeName;

    /// <inheritdoc/>
    private protected override IEnumerable<(DiagnosticDescriptor Rule, Location Location, string Detail)> Problems(Compilation compilation, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        ServingContractParser.Parse(compilation, type, out var problems, cancellationToken);
        return problems.Select(problem => (problem.Kind switch
        {
            ServingContractProblemKind.UnsupportedClass => DiagnosticDescriptors.ServeUnsupportedClass,
            ServingContractProblemKind.UnsupportedMember => DiagnosticDescriptors.ServeUnsupportedMember,
            _ => throw new System.ArgumentOutOfRangeException(nameof(type), problem.Kind, "A problem kind without a descriptor."),
        }, problem.Location, problem.Detail));
    }
}
