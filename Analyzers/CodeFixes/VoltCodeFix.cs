using System.Collections.Immutable;
using Microsoft.CodeAnalysis.CodeFixes;

namespace Volt.Analyzers.CodeFixes;

/// <summary>A code fix for one Volt diagnostic, fixable all at once with the batch fixer.</summary>
public abstract class VoltCodeFix(string diagnosticId) : CodeFixProvider
{
    /// <inheritdoc/>
    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; } = [diagnosticId];

    /// <inheritdoc/>
    public sealed override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;
}
