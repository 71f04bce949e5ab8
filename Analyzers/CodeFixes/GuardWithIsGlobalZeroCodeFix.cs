using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Volt.Analyzers.CodeFixes;

/// <summary>VOLT0037: wraps the statement that writes or prints in <c>if (IsGlobalZero) { ... }</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(GuardWithIsGlobalZeroCodeFix)), Shared]
public sealed class GuardWithIsGlobalZeroCodeFix() : VoltCodeFix(DiagnosticDescriptors.RankUnsafeSideEffectId)
{
    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);

        // Only a statement inside a block can be wrapped (an expression-bodied member has none).
        var statement = root?.FindNode(context.Span).AncestorsAndSelf().OfType<StatementSyntax>().FirstOrDefault();
        if (root is null || statement is null || statement.Parent is not BlockSyntax)
        {
            return;
        }

        var guarded = SyntaxFactory.IfStatement(SyntaxFactory.IdentifierName("IsGlobalZero"), SyntaxFactory.Block(statement.WithoutTrivia()))
            .WithTriviaFrom(statement)
            .WithAdditionalAnnotations(Formatter.Annotation);
        context.RegisterCodeFix(
            CodeAction.Create("Run only on rank 0: if (IsGlobalZero)", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(statement, guarded))), nameof(GuardWithIsGlobalZeroCodeFix)),
            context.Diagnostics);
    }
}
