using Microsoft.CodeAnalysis;

namespace Volt.Generators.Parsing;

/// <summary>The TorchSharp types a module's parsers compare against, resolved once per parse.</summary>
/// <param name="Tensor">torch.Tensor.</param>
/// <param name="Module">torch.nn.Module.</param>
/// <param name="Optimizer">torch.optim.Optimizer.</param>
internal sealed record TorchSymbols(INamedTypeSymbol Tensor, INamedTypeSymbol Module, INamedTypeSymbol Optimizer)
{
    /// <summary>The types, or null when TorchSharp is not referenced.</summary>
    public static TorchSymbols? Resolve(Compilation compilation)
        => compilation.GetTypeByMetadataName(WellKnownNames.Tensor) is { } tensor
           && compilation.GetTypeByMetadataName(WellKnownNames.Module) is { } module
           && compilation.GetTypeByMetadataName(WellKnownNames.Optimizer) is { } optimizer
            ? new TorchSymbols(tensor, module, optimizer)
            : null;

    public bool IsTensor(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, Tensor);

    public static bool DerivesFrom(ITypeSymbol type, INamedTypeSymbol baseType)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Task, ValueTask or IAsyncEnumerable: a step that would not finish inside the loop.</summary>
    public static bool IsTaskLike(ITypeSymbol type)
        => type.Name is "Task" or "ValueTask" or "IAsyncEnumerable" && type.ContainingNamespace?.ToDisplayString() is "System.Threading.Tasks" or "System.Collections.Generic";
}
