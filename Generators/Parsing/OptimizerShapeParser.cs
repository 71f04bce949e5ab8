using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Reads the [ConfigureOptimizers] method and decides at compile time what it returns: one optimizer,
/// an OptimizerConfig (an optimizer with a scheduler) or a tuple of them for manual optimization.
/// </summary>
internal sealed class OptimizerShapeParser(INamedTypeSymbol type, Compilation compilation, TorchSymbols torch, List<ModuleProblem> problems)
{
    /// <summary>What [ConfigureOptimizers] returns, once <see cref="Parse"/> accepted it; a manual step's optimizers parameter must take it.</summary>
    public ITypeSymbol? ReturnType { get; private set; }

    /// <summary>The accepted [ConfigureOptimizers] method; null with a problem reported otherwise.</summary>
    public OptimizerConfigModel? Parse()
    {
        if (!ModuleParser.FindSingleMethod(type, WellKnownNames.ConfigureOptimizersAttribute, "[ConfigureOptimizers]", problems, out var found))
        {
            return null;
        }

        if (found is null)
        {
            problems.Report(ModuleProblemKind.MissingConfigureOptimizers, type.Name, type.Name);
            return null;
        }

        var returnType = found.ReturnType;
        var optimizerConfigType = compilation.GetTypeByMetadataName(WellKnownNames.OptimizerConfig);

        // SymbolEqualityComparer.Default ignores nullable annotations: OptimizerConfig? is an OptimizerConfig.
        bool IsOptimizerConfig(ITypeSymbol candidate) => SymbolEqualityComparer.Default.Equals(candidate, optimizerConfigType);
        var shape = (OptimizerConfigShape?)null;
        var tupleSize = 1;
        var tupleElementIsConfig = EquatableArray<bool>.Empty;
        if (TorchSymbols.DerivesFrom(returnType, torch.Optimizer))
        {
            shape = OptimizerConfigShape.SingleOptimizer;
        }
        else if (IsOptimizerConfig(returnType))
        {
            shape = OptimizerConfigShape.OptimizerWithScheduler;
        }
        else if (returnType is INamedTypeSymbol { IsTupleType: true } tuple
            && tuple.TupleElements.Length is >= 2 and <= 7
            && tuple.TupleElements.All(e => TorchSymbols.DerivesFrom(e.Type, torch.Optimizer) || IsOptimizerConfig(e.Type)))
        {
            shape = OptimizerConfigShape.OptimizerTuple;
            tupleSize = tuple.TupleElements.Length;
            tupleElementIsConfig = tuple.TupleElements.Select(e => IsOptimizerConfig(e.Type)).ToEquatableArray();
        }

        var reason = found switch
        {
            { IsStatic: true } => "is static",
            { IsGenericMethod: true } => "is generic",
            { Parameters.Length: > 0 } => $"takes {found.Parameters.Length} parameters",
            { IsAsync: true } => "is async",
            _ when shape is null => $"returns '{returnType.ToDisplayString()}'",
            _ => null,
        };
        if (reason is not null)
        {
            problems.Report(ModuleProblemKind.UnsupportedConfigureOptimizers, found.Name, found.Name, reason);
            return null;
        }

        ReturnType = returnType;
        return new OptimizerConfigModel(SymbolExtensions.Escape(found.Name), shape!.Value, tupleSize, tupleElementIsConfig, returnType.NullableAnnotation == NullableAnnotation.Annotated);
    }
}
