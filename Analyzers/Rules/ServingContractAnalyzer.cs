using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Generators.Parsing;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Reports why a [Serve] class gets no HTTP contract, at the class, the batch member, the [ExampleShape] or the
/// [PredictStep] the generator's own parser stopped at, so no contract is silently missing.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ServingContractAnalyzer : VoltAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.ServeUnsupportedClass,
        DiagnosticDescriptors.ServeUnsupportedMember,
    ];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
    {
        var attribute = start.Compilation.GetTypeByMetadataName(ServingContractParser.AttributeName);
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

        ServingContractParser.Parse(context.Compilation, type, out var problems, context.CancellationToken);
        foreach (var problem in problems)
        {
            var descriptor = problem.Kind switch
            {
                ServingContractProblemKind.UnsupportedClass => DiagnosticDescriptors.ServeUnsupportedClass,
                ServingContractProblemKind.UnsupportedMember => DiagnosticDescriptors.ServeUnsupportedMember,
                _ => throw new System.ArgumentOutOfRangeException(nameof(problem), problem.Kind, "A problem kind without a descriptor."),
            };
            context.ReportDiagnostic(Diagnostic.Create(descriptor, problem.Location, problem.Detail));
        }
    }
}
