using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Volt.Generators.Emitting;
using Volt.Generators.Parsing;

namespace Volt.Generators;

/// <summary>The serving pipeline: one contract per [Serve] class, one generated file per contract.</summary>
public sealed partial class VoltGenerator
{
    private static void RegisterServingContract(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ServingContractParser.AttributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (attributeContext, cancellationToken) => attributeContext.TargetSymbol is INamedTypeSymbol type
                    ? ServingContractParser.Parse(attributeContext.SemanticModel.Compilation, type, out _, cancellationToken)
                    : null)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.ServingContractModules);

        context.RegisterSourceOutput(models, static (output, model) =>
            output.AddSource(model.Hierarchy.HintName, SourceText.From(ServingContractEmitter.Emit(model, Version), Encoding.UTF8)));
    }
}
