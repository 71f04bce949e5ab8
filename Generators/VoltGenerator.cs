using System;
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
        RegisterServingContract(context);
        RegisterCli(context);
    }

    private static void Register(IncrementalGeneratorInitializationContext context, string attributeName, string trackingName)
    {
        var modules = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                attributeName,
                static (node, _) => node is MethodDeclarationSyntax { Parent: ClassDeclarationSyntax },
                (attributeContext, cancellationToken) =>
                {
                    if (attributeContext.TargetSymbol is not IMethodSymbol { ContainingType: { } type } method
                        || !ModuleParser.IsGenerationTrigger(method))
                    {
                        return null;
                    }

                    try
                    {
                        return ModuleParser.ParseForGeneration(attributeContext.SemanticModel.Compilation, type, cancellationToken);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        return new GeneratedModule(type.Name, null, null, exception.Message);
                    }
                })
            .Where(static module => module is not null)
            .Select(static (module, _) => module!)
            .WithTrackingName(trackingName);

        context.RegisterSourceOutput(modules, static (output, module) => Emit(output, module));
    }

    /// <summary>Writes one module's file. A failure is reported for that module alone; the other modules' files are unaffected.</summary>
    private static void Emit(SourceProductionContext output, GeneratedModule module)
    {
        try
        {
            if (module.Failure is not null)
            {
                throw new InvalidOperationException(module.Failure);
            }

            if (module.Module is { } model)
            {
                output.AddSource(model.Hierarchy.HintName, SourceText.From(ModuleEmitter.Emit(model, Version), Encoding.UTF8));
                if (model.SearchSpace is { } searchSpace)
                {
                    var hintName = model.Hierarchy.HintName.Substring(0, model.Hierarchy.HintName.Length - ".g.cs".Length) + ".SearchSpace.g.cs";
                    output.AddSource(hintName, SourceText.From(SearchSpaceEmitter.Emit(model.Hierarchy, model.ClassName, searchSpace, Version), Encoding.UTF8));
                }
            }
            else if (module.Surface is { } surface)
            {
                output.AddSource(surface.Hierarchy.HintName, SourceText.From(ModuleSurfaceEmitter.Emit(surface, Version), Encoding.UTF8));
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            output.ReportDiagnostic(Diagnostic.Create(GeneratorFailed, Location.None, module.TypeName, exception.Message));
        }
    }

    /// <summary>VOLT0028: the generator itself failed on one module (a bug in Volt, reported instead of a crash that would drop every module's code).</summary>
    internal static readonly DiagnosticDescriptor GeneratorFailed = new(
        "VOLT0028",
        "Volt could not generate a module",
        "Volt could not generate code for '{0}': {1}; the other modules are generated as usual — please report this",
        "Volt.Generator",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        helpLinkUri: "docs/diagnostics.md#volt0028");
}
