using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Volt.Generators.Emitting;
using Volt.Generators.Parsing;

namespace Volt.Generators;

/// <summary>The ONNX export pipeline: one model per [OnnxExport] class, one generated file per model.</summary>
public sealed partial class VoltGenerator
{
    private static void RegisterOnnxExport(IncrementalGeneratorInitializationContext context)
    {
        var models = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                OnnxExportParser.AttributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (attributeContext, cancellationToken) => attributeContext.TargetSymbol is INamedTypeSymbol type
                    ? OnnxExportParser.Parse(attributeContext.SemanticModel.Compilation, type, out _, cancellationToken)
                    : null)
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(TrackingNames.OnnxExportModules);

        context.RegisterSourceOutput(models, static (output, model) =>
            output.AddSource(model.Hierarchy.HintName, SourceText.From(OnnxExportEmitter.Emit(model, Version), Encoding.UTF8)));
    }
}
