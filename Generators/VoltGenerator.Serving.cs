using Microsoft.CodeAnalysis;
using Volt.Generators.Emitting;
using Volt.Generators.Parsing;

namespace Volt.Generators;

/// <summary>The serving pipeline: one contract per [Serve] class, one generated file per contract.</summary>
public sealed partial class VoltGenerator
{
    private static void RegisterServingContract(IncrementalGeneratorInitializationContext context)
        => RegisterOptInFile(
            context,
            ServingContractParser.AttributeName,
            TrackingNames.ServingContractModules,
            static (compilation, type, cancellationToken) => ServingContractParser.Parse(compilation, type, out _, cancellationToken),
            static model => model.Hierarchy,
            ServingContractEmitter.Emit);
}
