using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Volt.Analyzers.Rules;

/// <summary>The steps that can reach a method: the step itself, or a step that calls it (transitively).</summary>
[Flags]
internal enum StepKinds
{
    None = 0,
    AutomaticTraining = 1,
    ManualTraining = 2,
    Validation = 4,
    Test = 8,
    Predict = 16,
    Training = AutomaticTraining | ManualTraining,
}

/// <summary>
/// The calls between a module's own methods (invocations, method groups and property getters),
/// collected while the module is analyzed, and the steps that reach each method once it is done.
/// Code in lambdas and local functions belongs to the method that contains it. Create it in a
/// symbol-start action and read <see cref="Reachability"/> in that symbol's end action.
/// </summary>
internal sealed class StepCallGraph
{
    private readonly INamedTypeSymbol module;
    private readonly ModuleSymbols symbols;
    private readonly ConcurrentBag<(IMethodSymbol Caller, IMethodSymbol Callee)> calls = [];

    private StepCallGraph(INamedTypeSymbol module, ModuleSymbols symbols)
    {
        this.module = module;
        this.symbols = symbols;
    }

    /// <summary>Starts collecting the calls of <paramref name="context"/>'s module.</summary>
    public static StepCallGraph Register(SymbolStartAnalysisContext context, ModuleSymbols symbols)
    {
        var graph = new StepCallGraph((INamedTypeSymbol)context.Symbol, symbols);
        context.RegisterOperationAction(graph.Collect, OperationKind.Invocation, OperationKind.MethodReference, OperationKind.PropertyReference);
        return graph;
    }

    /// <summary>The steps that reach each of the module's methods; a method no step reaches is absent.</summary>
    public IReadOnlyDictionary<IMethodSymbol, StepKinds> Reachability()
    {
        var edges = calls.ToLookup(c => c.Caller, c => c.Callee, SymbolEqualityComparer.Default);
        var reached = new Dictionary<IMethodSymbol, StepKinds>(SymbolEqualityComparer.Default);
        foreach (var step in module.GetMembers().OfType<IMethodSymbol>())
        {
            var kind = KindOf(step);
            if (kind == StepKinds.None)
            {
                continue;
            }

            var pending = new Stack<IMethodSymbol>();
            pending.Push(step);
            while (pending.Count > 0)
            {
                var method = pending.Pop();
                var before = reached.TryGetValue(method, out var kinds) ? kinds : StepKinds.None;
                if ((before & kind) == kind)
                {
                    continue;
                }

                reached[method] = before | kind;
                foreach (var callee in edges[method])
                {
                    pending.Push(callee);
                }
            }
        }

        return reached;
    }

    /// <summary>The method an operation belongs to: the containing method, or a property's getter (an expression-bodied property's code belongs to it).</summary>
    public static IMethodSymbol? MethodOf(ISymbol containing)
        => containing as IMethodSymbol ?? (containing as IPropertySymbol)?.GetMethod;

    /// <summary>The kind of step <paramref name="method"/> is, or None.</summary>
    public StepKinds KindOf(IMethodSymbol method)
    {
        var attribute = symbols.StepAttribute(method)?.AttributeClass?.ToDisplayString();
        return attribute switch
        {
            Generators.WellKnownNames.TrainingStepAttribute => symbols.IsAutomaticTrainingStep(method) ? StepKinds.AutomaticTraining : StepKinds.ManualTraining,
            Generators.WellKnownNames.ValidationStepAttribute => StepKinds.Validation,
            Generators.WellKnownNames.TestStepAttribute => StepKinds.Test,
            Generators.WellKnownNames.PredictStepAttribute => StepKinds.Predict,
            _ => StepKinds.None,
        };
    }

    private void Collect(OperationAnalysisContext context)
    {
        var caller = MethodOf(context.ContainingSymbol);
        if (caller is null)
        {
            return;
        }

        var callee = context.Operation switch
        {
            IInvocationOperation invocation => invocation.TargetMethod,
            IMethodReferenceOperation reference => reference.Method,
            IPropertyReferenceOperation property => property.Property.GetMethod,
            _ => null,
        };

        if (callee is not null && SymbolEqualityComparer.Default.Equals(callee.ContainingType?.OriginalDefinition, module.OriginalDefinition))
        {
            calls.Add((caller.OriginalDefinition, callee.OriginalDefinition));
        }
    }
}
