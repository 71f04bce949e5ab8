using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Volt.Analyzers.Rules;

namespace Volt.Analyzers.CodeFixes;

/// <summary>VOLT0011: replaces the [Monitor] name with the closest name a Log call uses.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseLoggedMetricNameCodeFix)), Shared]
public sealed class UseLoggedMetricNameCodeFix() : VoltCodeFix(DiagnosticDescriptors.MonitorNotLoggedId)
{
    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var diagnostic = context.Diagnostics.First();
        if (!diagnostic.Properties.TryGetValue(MetricNameAnalyzer.ClosestNameProperty, out var name) || name is null)
        {
            return;
        }

        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindNode(context.Span) is not { } node || node.DescendantNodesAndSelf().OfType<ExpressionSyntax>().FirstOrDefault() is not { } expression)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create(
                $"Monitor '{name}'",
                _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(expression, SyntaxFactory.LiteralExpression(SyntaxKind.StringLiteralExpression, SyntaxFactory.Literal(name)).WithTriviaFrom(expression)))),
                nameof(UseLoggedMetricNameCodeFix)),
            diagnostic);
    }
}
