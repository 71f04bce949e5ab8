using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Volt.Analyzers.CodeFixes;

/// <summary>VOLT0016: adds <c>device: Device</c> to a tensor factory call inside a step.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(PassDeviceCodeFix)), Shared]
public sealed class PassDeviceCodeFix() : VoltCodeFix(DiagnosticDescriptors.FactoryWithoutDeviceId)
{
    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        var invocation = root?.FindNode(context.Span).AncestorsAndSelf().OfType<InvocationExpressionSyntax>().FirstOrDefault();
        if (root is null || invocation is null)
        {
            return;
        }

        var argument = SyntaxFactory.Argument(SyntaxFactory.IdentifierName("Device"))
            .WithNameColon(SyntaxFactory.NameColon(SyntaxFactory.IdentifierName("device")));
        var fixedCall = invocation.WithArgumentList(invocation.ArgumentList.AddArguments(argument));
        context.RegisterCodeFix(
            CodeAction.Create("Pass device: Device", _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(invocation, fixedCall))), nameof(PassDeviceCodeFix)),
            context.Diagnostics);
    }
}
