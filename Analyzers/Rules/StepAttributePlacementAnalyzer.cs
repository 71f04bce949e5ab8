using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Generators;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Step and [ConfigureOptimizers] attributes on local functions and lambdas: C# accepts them (they
/// target methods), but the generator reads only the module class's own methods, so they would be
/// ignored without a word.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StepAttributePlacementAnalyzer : VoltAnalyzer
{
    private static readonly string[] VoltMethodAttributes =
    [
        WellKnownNames.TrainingStepAttribute,
        WellKnownNames.ValidationStepAttribute,
        WellKnownNames.TestStepAttribute,
        WellKnownNames.PredictStepAttribute,
        WellKnownNames.ConfigureOptimizersAttribute,
    ];

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.StepAttributeNotOnMethod];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
        => start.RegisterSyntaxNodeAction(Analyze, SyntaxKind.LocalFunctionStatement, SyntaxKind.ParenthesizedLambdaExpression, SyntaxKind.SimpleLambdaExpression);

    private static void Analyze(SyntaxNodeAnalysisContext context)
    {
        var (lists, what) = context.Node switch
        {
            LocalFunctionStatementSyntax local => (local.AttributeLists, $"the local function '{local.Identifier.ValueText}'"),
            LambdaExpressionSyntax lambda => (lambda.AttributeLists, "a lambda"),
            _ => (default, string.Empty),
        };

        foreach (var attribute in lists.SelectMany(l => l.Attributes))
        {
            var type = context.SemanticModel.GetTypeInfo(attribute, context.CancellationToken).Type?.ToDisplayString();
            if (type is not null && VoltMethodAttributes.Contains(type))
            {
                var name = type.Substring("Volt.".Length, type.Length - "Volt.".Length - "Attribute".Length);
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.StepAttributeNotOnMethod, attribute.GetLocation(), name, what));
            }
        }
    }
}
