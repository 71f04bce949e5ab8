using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Reports declared search spaces ([FloatRange], [IntRange], [Choices]) that do not fit their
/// hyperparameter: the generator's own <see cref="SearchSpaceParser"/> decides, so every space it
/// refuses to emit sampling code for is reported here.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SearchSpaceAnalyzer : VoltAnalyzer
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.SearchSpaceTypeMismatch,
        DiagnosticDescriptors.SearchRangeEmpty,
        DiagnosticDescriptors.SearchLogNotPositive,
        DiagnosticDescriptors.SearchLogWithStep,
        DiagnosticDescriptors.SearchDefaultOutside,
        DiagnosticDescriptors.SearchSpaceNotHyperparameter,
        DiagnosticDescriptors.SeveralSearchSpaces,
        DiagnosticDescriptors.SearchChoicesInvalid,
    ];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
        => start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, symbols), SymbolKind.NamedType);

    private static void Analyze(SymbolAnalysisContext context, ModuleSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!symbols.IsVoltModule(type))
        {
            return;
        }

        var hyperparameters = new HyperparameterParser(type, context.Compilation, [], TypeFormat).Parse();
        var problems = new List<SearchSpaceProblem>();
        new SearchSpaceParser(type, context.Compilation, hyperparameters, problems).Parse();
        foreach (var problem in problems)
        {
            var descriptor = problem.Kind switch
            {
                SearchSpaceProblemKind.TypeMismatch => DiagnosticDescriptors.SearchSpaceTypeMismatch,
                SearchSpaceProblemKind.EmptyRange => DiagnosticDescriptors.SearchRangeEmpty,
                SearchSpaceProblemKind.LogNotPositive => DiagnosticDescriptors.SearchLogNotPositive,
                SearchSpaceProblemKind.LogWithStep => DiagnosticDescriptors.SearchLogWithStep,
                SearchSpaceProblemKind.DefaultOutside => DiagnosticDescriptors.SearchDefaultOutside,
                SearchSpaceProblemKind.NotAHyperparameter => DiagnosticDescriptors.SearchSpaceNotHyperparameter,
                SearchSpaceProblemKind.SeveralSpaces => DiagnosticDescriptors.SeveralSearchSpaces,
                _ => DiagnosticDescriptors.SearchChoicesInvalid,
            };
            var location = problem.Location ?? type.Locations.FirstOrDefault() ?? Location.None;
            context.ReportDiagnostic(Diagnostic.Create(descriptor, location, problem.Detail));
        }
    }
}
