using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Volt.Generators.Emitting;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Generators;

/// <summary>
/// Generates the training loop, batch transfer, hyperparameter record and TorchSharp registration
/// for every partial class with Volt step attributes. One pipeline per step attribute; each class is
/// generated once, by the pipeline of its first step attribute (TrainingStep, ValidationStep, TestStep,
/// PredictStep), so no pipeline has to collect all classes.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class VoltGenerator : IIncrementalGenerator
{
    private static readonly string Version =
        typeof(VoltGenerator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";

    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        Register(context, WellKnownNames.TrainingStepAttribute, TrackingNames.TrainingStepModules);
        Register(context, WellKnownNames.ValidationStepAttribute, TrackingNames.ValidationStepModules);
        Register(context, WellKnownNames.TestStepAttribute, TrackingNames.TestStepModules);
        Register(context, WellKnownNames.PredictStepAttribute, TrackingNames.PredictStepModules);
        RegisterOnnxExport(context);
    }

    private static void Register(IncrementalGeneratorInitializationContext context, string attributeName, string trackingName)
    {
        var modules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attributeName,
                static (node, _) => node is MethodDeclarationSyntax { Parent: ClassDeclarationSyntax },
                (attributeContext, cancellationToken) =>
                {
                    if (attributeContext.TargetSymbol is not IMethodSymbol { ContainingType: { } type }
                        || !ModuleParser.IsGenerationTrigger(type, attributeName))
                    {
                        return null;
                    }

                    return ModuleParser.Parse(attributeContext.SemanticModel.Compilation, type, out _, cancellationToken);
                })
            .Where(static model => model is not null)
            .Select(static (model, _) => model!)
            .WithTrackingName(trackingName);

        context.RegisterSourceOutput(modules, static (output, model) => Emit(output, model));
    }

    private static void Emit(SourceProductionContext output, ModuleModel model)
    {
        var text = ModuleEmitter.Emit(model, Version);
        output.AddSource(model.Hierarchy.HintName, SourceText.From(text, Encoding.UTF8));
        if (model.SearchSpace is { } searchSpace)
        {
            var hintName = model.Hierarchy.HintName.Substring(0, model.Hierarchy.HintName.Length - ".g.cs".Length) + ".SearchSpace.g.cs";
            output.AddSource(hintName, SourceText.From(SearchSpaceEmitter.Emit(model.Hierarchy, model.ClassName, searchSpace, Version), Encoding.UTF8));
        }
    }
}
