using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Volt.Analyzers.CodeFixes;

/// <summary>VOLT0001: adds <c>partial</c> to the module class and to every containing type that lacks it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPartialCodeFix)), Shared]
public sealed class AddPartialCodeFix() : VoltCodeFix(DiagnosticDescriptors.NotPartialId)
{
    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var declaration = root?.FindToken(context.Span.Start).Parent?.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().FirstOrDefault();
        if (root is null || declaration is null)
        {
            return;
        }

        context.RegisterCodeFix(
            CodeAction.Create("Make the class and its containing types partial", token => AddPartial(context.Document, root, declaration, token), nameof(AddPartialCodeFix)),
            context.Diagnostics);
    }

    private static Task<Document> AddPartial(Document document, SyntaxNode root, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        var targets = declaration.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
        // The second argument carries the already-rewritten inner types; build on it.
        var newRoot = root.ReplaceNodes(targets, (_, original) =>
        {
            var partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            if (original.Modifiers.Count == 0)
            {
                // Keep leading trivia (comments, attributes' line) on the first token.
                var keyword = original.Keyword;
                return original
                    .WithKeyword(keyword.WithLeadingTrivia(SyntaxFactory.TriviaList()))
                    .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
            }

            return original.WithModifiers(original.Modifiers.Add(partial));
        });
        return Task.FromResult(document.WithSyntaxRoot(newRoot));
    }
}
