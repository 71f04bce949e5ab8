using System;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Volt.Generators.Model;

namespace Volt.Generators;

/// <summary>The pipeline an opt-in class attribute shares ([OnnxExport], [Serve]): one model per class, one generated file per model.</summary>
public sealed partial class VoltGenerator
{
    private static void RegisterOptInFile<TModel>(
        IncrementalGeneratorInitializationContext context,
        string attributeName,
        string trackingName,
        Func<Compilation, INamedTypeSymbol, CancellationToken, TModel?> parse,
        Func<TModel, HierarchyInfo> hierarchy,
        Func<TModel, string, string> emit)
        where TModel : class
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                (attributeContext, cancellationToken) => attributeContext.TargetSymbol is INamedTypeSymbol type
                    ? parse(attributeContext.SemanticModel.Compilation, type, cancellationToken)
                    : null)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(trackingName);

        context.RegisterSourceOutput(models, (output, model) =>
            output.AddSource(hierarchy(model).HintName, SourceText.From(emit(model, Version), Encoding.UTF8)));
    }
}
