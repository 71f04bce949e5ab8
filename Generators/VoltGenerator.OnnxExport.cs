using Microsoft.CodeAnalysis;
using Volt.Generators.Emitting;
using Volt.Generators.Parsing;

namespace Volt.Generators;

/// <summary>The ONNX export pipeline: one model per [OnnxExport] class, one generated file per model.</summary>
public sealed partial class VoltGenerator
{
    private static void RegisterOnnxExport(IncrementalGeneratorInitializationContext context)
        => RegisterOptInFile(
            context,
            OnnxExportParser.AttributeName,
            TrackingNames.OnnxExportModules,
            static (compilation, type, cancellationToken) => OnnxExportParser.Parse(compilation, type, out _, cancellationToken),
            static model => model.Hierarchy,
            OnnxExportEmitter.Emit);
}
