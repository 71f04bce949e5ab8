using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Volt.Analyzers.Rules;

public sealed partial class StepCodeAnalyzer
{
    /// <summary>
    /// The rules about code that runs inside a step: in the step itself or in a module method a step
    /// calls (transitively, through <see cref="StepCallGraph"/>). Candidates are collected while the
    /// module is analyzed and reported at its end for the methods the right steps reach.
    /// </summary>
    private static class StepReachedRules
    {
        private static readonly HashSet<string> Factories = new(StringComparer.Ordinal)
        {
            "zeros", "ones", "randn", "rand", "arange", "full", "tensor", "empty", "randint", "eye", "linspace", "logspace", "normal", "randperm", "as_tensor",
        };

        private static readonly HashSet<string> HostSyncs = new(StringComparer.Ordinal)
        {
            "ToSingle", "ToDouble", "ToInt32", "ToInt64", "ToBoolean", "ToHalf", "item", "data", "ToArray",
        };

        public static void Start(SymbolStartAnalysisContext context, ModuleSymbols symbols, StaticWrites staticWrites)
        {
            if (!symbols.IsVoltModule((INamedTypeSymbol)context.Symbol))
            {
                return;
            }

            var graph = StepCallGraph.Register(context, symbols);
            var candidates = new ConcurrentBag<Candidate>();
            var statics = new ConcurrentBag<(IMethodSymbol Method, Location Location, ISymbol Member, bool IsWrite)>();
            context.RegisterOperationAction(operation => CollectInvocation(operation, symbols, candidates), OperationKind.Invocation);
            context.RegisterOperationAction(operation => CollectStatic(operation, statics), OperationKind.FieldReference, OperationKind.PropertyReference);
            context.RegisterSymbolEndAction(end =>
            {
                var reached = graph.Reachability();
                bool Reaches(IMethodSymbol method, StepKinds steps) => reached.TryGetValue(method.OriginalDefinition, out var kinds) && (kinds & steps) != 0;
                foreach (var candidate in candidates)
                {
                    if (Reaches(candidate.Method, candidate.Steps))
                    {
                        end.ReportDiagnostic(Diagnostic.Create(candidate.Descriptor, candidate.Location, candidate.Argument));
                    }
                }

                foreach (var (method, location, member, isWrite) in statics)
                {
                    if (Reaches(method, ~StepKinds.None))
                    {
                        staticWrites.AddUse(location, method.Name, member, isWrite);
                    }
                }
            });
        }

        private static void CollectInvocation(OperationAnalysisContext context, ModuleSymbols symbols, ConcurrentBag<Candidate> candidates)
        {
            if (CallerOf(context) is not { } caller)
            {
                return;
            }

            var invocation = (IInvocationOperation)context.Operation;
            var method = invocation.TargetMethod;
            var receiverType = invocation.Instance?.Type
                ?? (method.IsExtensionMethod ? invocation.Arguments.FirstOrDefault()?.Value.Type : null);
            var location = invocation.Syntax.GetLocation();
            if (Factories.Contains(method.Name)
                && method.ContainingType?.ToDisplayString() == "TorchSharp.torch"
                && invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "device") is { ArgumentKind: ArgumentKind.DefaultValue })
            {
                candidates.Add(new Candidate(caller, ~StepKinds.None, DiagnosticDescriptors.FactoryWithoutDevice, location, "torch." + method.Name));
            }

            if (IsOptimizationCall(symbols, method, receiverType))
            {
                candidates.Add(new Candidate(caller, StepKinds.AutomaticTraining, DiagnosticDescriptors.ManualOptimizationCall, location, method.Name + "()"));
            }

            if (HostSyncs.Contains(method.Name) && symbols.DerivesFrom(receiverType, symbols.Tensor))
            {
                candidates.Add(new Candidate(caller, StepKinds.Training, DiagnosticDescriptors.HostSync, location, method.Name));
            }
        }

        private static void CollectStatic(OperationAnalysisContext context, ConcurrentBag<(IMethodSymbol, Location, ISymbol, bool)> statics)
        {
            var reference = (IMemberReferenceOperation)context.Operation;
            var member = reference.Member;
            if (!member.IsStatic || CallerOf(context) is not { } caller)
            {
                return;
            }

            var isWrite = StaticWrites.IsWriteTarget(reference);
            var mutable = member switch
            {
                IFieldSymbol field => !field.IsConst && !field.IsReadOnly,
                IPropertySymbol property => isWrite || property.SetMethod is not null,
                _ => false,
            };

            if (mutable)
            {
                statics.Add((caller, reference.Syntax.GetLocation(), member, isWrite));
            }
        }

        private static IMethodSymbol? CallerOf(OperationAnalysisContext context) => StepCallGraph.MethodOf(context.ContainingSymbol);

        private static bool IsOptimizationCall(ModuleSymbols symbols, IMethodSymbol method, ITypeSymbol? receiverType)
            => (method.Name == "backward" && symbols.DerivesFrom(receiverType, symbols.Tensor))
               || (method.Name is "step" or "zero_grad" && symbols.DerivesFrom(receiverType, symbols.Optimizer))
               || (method.Name == "zero_grad" && symbols.DerivesFrom(receiverType, symbols.Module));

        /// <summary>A diagnostic to report when one of <see cref="Steps"/> reaches <see cref="Method"/>.</summary>
        private sealed record Candidate(IMethodSymbol Method, StepKinds Steps, DiagnosticDescriptor Descriptor, Location Location, string Argument);
    }
}
