using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Volt.Analyzers.Rules;

/// <summary>
/// The shape of a rule for an opt-in class attribute whose generated file comes from a parser of its own
/// ([OnnxExport], [Serve]): for every class with the attribute, run the generator's parser and report each
/// problem it found, where it found it, so no generated file is silently missing.
/// </summary>
public abstract class OptInAttributeAnalyzer : VoltAnalyzer
{
    /// <summary>The attribute's metadata name.</summary>
    private protected abstract string AttributeName { get; }

    /// <summary>The parser's problems for <paramref name="type"/>: each one's rule, location and message.</summary>
    private protected abstract IEnumerable<(DiagnosticDescriptor Rule, Location Location, string Detail)> Problems(Compilation compilation, INamedTypeSymbol type, System.Threading.CancellationToken cancellationToken);

    /// <inheritdoc/>
    private protected sealed override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
    {
        var attribute = start.Compilation.GetTypeByMetadataName(AttributeName);
        if (attribute is null)
        {
            return;
        }

        start.RegisterSymbolAction(context => Analyze(context, attribute), SymbolKind.NamedType);
    }

    private void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attribute)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!type.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attribute)))
        {
            return;
        }

        foreach (var (rule, location, detail) in Problems(context.Compilation, type, context.CancellationToken))
        {
            context.ReportDiagnostic(Diagnostic.Create(rule, location, detail));
        }
    }
}
