using System.Linq;
using Microsoft.CodeAnalysis;
using Volt.Generators;

namespace Volt.Analyzers.Rules;

/// <summary>The well-known symbols the rules need, resolved once per compilation.</summary>
internal sealed class ModuleSymbols
{
    private ModuleSymbols(Compilation compilation, INamedTypeSymbol tensor, INamedTypeSymbol module)
    {
        Compilation = compilation;
        Tensor = tensor;
        Module = module;
        Optimizer = compilation.GetTypeByMetadataName(WellKnownNames.Optimizer);
        TrainingStep = compilation.GetTypeByMetadataName(WellKnownNames.TrainingStepAttribute);
        StepAttributes =
        [
            .. new[] { WellKnownNames.TrainingStepAttribute, WellKnownNames.ValidationStepAttribute, WellKnownNames.TestStepAttribute, WellKnownNames.PredictStepAttribute }
                .Select(compilation.GetTypeByMetadataName)
                .Where(t => t is not null)
                .Select(t => t!),
        ];
    }

    public Compilation Compilation { get; }

    public INamedTypeSymbol Tensor { get; }

    public INamedTypeSymbol Module { get; }

    public INamedTypeSymbol? Optimizer { get; }

    public INamedTypeSymbol? TrainingStep { get; }

    public INamedTypeSymbol[] StepAttributes { get; }

    /// <summary>Null when Volt or TorchSharp is not referenced: the rules have nothing to do.</summary>
    public static ModuleSymbols? Resolve(Compilation compilation)
    {
        var tensor = compilation.GetTypeByMetadataName(WellKnownNames.Tensor);
        var module = compilation.GetTypeByMetadataName(WellKnownNames.Module);
        return tensor is null || module is null || compilation.GetTypeByMetadataName(WellKnownNames.TrainingStepAttribute) is null
            ? null
            : new ModuleSymbols(compilation, tensor, module);
    }

    /// <summary>The step attribute on <paramref name="method"/> (Training, Validation, Test or Predict), or null.</summary>
    public AttributeData? StepAttribute(IMethodSymbol method)
        => method.GetAttributes().FirstOrDefault(a => StepAttributes.Any(s => SymbolEqualityComparer.Default.Equals(a.AttributeClass, s)));

    /// <summary>True when <paramref name="type"/> declares a method with a step attribute.</summary>
    public bool IsVoltModule(INamedTypeSymbol type)
        => type.GetMembers().OfType<IMethodSymbol>().Any(m => StepAttribute(m) is not null);

    /// <summary>True for a [TrainingStep] with automatic optimization.</summary>
    public bool IsAutomaticTrainingStep(IMethodSymbol method)
        => method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, TrainingStep)) is { } attribute
           && !attribute.NamedArguments.Any(a => a.Key == "AutomaticOptimization" && a.Value.Value is false);

    public bool IsTrainingStep(IMethodSymbol method)
        => method.GetAttributes().Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, TrainingStep));

    public bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        for (var current = type; current is not null && baseType is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }
}
