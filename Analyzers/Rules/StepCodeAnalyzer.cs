using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Rules about the code inside module classes and their steps: global state, unseeded randomness,
/// hard-coded devices, tensor factories without a device, double optimization, plateau schedulers
/// without a monitor, and host synchronizations.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class StepCodeAnalyzer : VoltAnalyzer
{
    private static readonly HashSet<string> Factories = new(StringComparer.Ordinal)
    {
        "zeros", "ones", "randn", "rand", "arange", "full", "tensor", "empty", "randint", "eye", "linspace", "logspace", "normal", "randperm", "as_tensor",
    };

    private static readonly HashSet<string> HostSyncs = new(StringComparer.Ordinal)
    {
        "ToSingle", "ToDouble", "ToInt32", "ToInt64", "ToBoolean", "ToHalf", "item", "data", "ToArray",
    };

    private static readonly Regex CudaString = new("^cuda(:[0-9]+)?$", RegexOptions.CultureInvariant);

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.GlobalState,
        DiagnosticDescriptors.UnseededRandom,
        DiagnosticDescriptors.HardCodedDevice,
        DiagnosticDescriptors.FactoryWithoutDevice,
        DiagnosticDescriptors.ManualOptimizationCall,
        DiagnosticDescriptors.PlateauWithoutMonitor,
        DiagnosticDescriptors.HostSync,
        DiagnosticDescriptors.RankDependentSync,
    ];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
    {
        var random = start.Compilation.GetTypeByMetadataName("System.Random");
        var schedulerConfig = start.Compilation.GetTypeByMetadataName("Volt.SchedulerConfig");
        var analysis = new Analysis(symbols, random, schedulerConfig);
        start.RegisterSymbolStartAction(symbolStart => GlobalState.Start(symbolStart, symbols), SymbolKind.NamedType);
        start.RegisterOperationAction(analysis.Invocation, OperationKind.Invocation);
        start.RegisterOperationAction(analysis.MemberReference, OperationKind.FieldReference, OperationKind.PropertyReference);
        start.RegisterOperationAction(analysis.ObjectCreation, OperationKind.ObjectCreation);
        start.RegisterOperationAction(analysis.Literal, OperationKind.Literal);
    }

    private sealed class Analysis(ModuleSymbols symbols, INamedTypeSymbol? random, INamedTypeSymbol? schedulerConfig)
    {
        // Every operation asks whether its type is a module; answer once per type.
        private readonly ConcurrentDictionary<INamedTypeSymbol, bool> isModule = new(SymbolEqualityComparer.Default);

        public void Invocation(OperationAnalysisContext context)
        {
            var invocation = (IInvocationOperation)context.Operation;
            if (ContainingModule(context) is null)
            {
                return;
            }

            var method = invocation.TargetMethod;
            if (method.Name == "Log" && RankCondition(invocation) is { } condition
                && invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "syncDist") is { ArgumentKind: ArgumentKind.Explicit, Value.ConstantValue: { HasValue: true, Value: true } })
            {
                var name = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.ConstantValue.Value as string ?? "...";
                Report(context, DiagnosticDescriptors.RankDependentSync, invocation.Syntax.GetLocation(), name, condition);
            }

            // Extension methods such as ToSingle() take the tensor as their first argument.
            var receiverType = invocation.Instance?.Type
                ?? (method.IsExtensionMethod ? invocation.Arguments.FirstOrDefault()?.Value.Type : null);
            if (method.Name == "cuda" && (symbols.DerivesFrom(receiverType, symbols.Tensor) || symbols.DerivesFrom(receiverType, symbols.Module)))
            {
                Report(context, DiagnosticDescriptors.HardCodedDevice, invocation.Syntax.GetLocation(), "'.cuda()'");
            }

            if (context.ContainingSymbol is not IMethodSymbol caller || symbols.StepAttribute(caller) is null)
            {
                return;
            }

            if (Factories.Contains(method.Name)
                && method.ContainingType?.ToDisplayString() == "TorchSharp.torch"
                && invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "device") is { ArgumentKind: ArgumentKind.DefaultValue })
            {
                Report(context, DiagnosticDescriptors.FactoryWithoutDevice, invocation.Syntax.GetLocation(), "torch." + method.Name);
            }

            if (symbols.IsAutomaticTrainingStep(caller) && IsOptimizationCall(method, receiverType))
            {
                Report(context, DiagnosticDescriptors.ManualOptimizationCall, invocation.Syntax.GetLocation(), method.Name + "()");
            }

            if (symbols.IsTrainingStep(caller) && HostSyncs.Contains(method.Name) && symbols.DerivesFrom(receiverType, symbols.Tensor))
            {
                Report(context, DiagnosticDescriptors.HostSync, invocation.Syntax.GetLocation(), method.Name);
            }
        }

        public void MemberReference(OperationAnalysisContext context)
        {
            var reference = (IMemberReferenceOperation)context.Operation;
            if (ContainingModule(context) is null)
            {
                return;
            }

            var member = reference.Member;
            if (member.Name == "CUDA" && member.ContainingType?.ToDisplayString() == "TorchSharp.torch")
            {
                Report(context, DiagnosticDescriptors.HardCodedDevice, reference.Syntax.GetLocation(), "torch.CUDA");
                return;
            }

            if (member.Name == "Shared" && SymbolEqualityComparer.Default.Equals(member.ContainingType, random))
            {
                Report(context, DiagnosticDescriptors.UnseededRandom, reference.Syntax.GetLocation(), "Random.Shared");
            }
        }

        public void ObjectCreation(OperationAnalysisContext context)
        {
            var creation = (IObjectCreationOperation)context.Operation;
            if (SymbolEqualityComparer.Default.Equals(creation.Type, schedulerConfig) && IsPlateauWithoutMonitor(creation))
            {
                Report(context, DiagnosticDescriptors.PlateauWithoutMonitor, creation.Syntax.GetLocation());
                return;
            }

            if (ContainingModule(context) is null)
            {
                return;
            }

            if (SymbolEqualityComparer.Default.Equals(creation.Type, random) && creation.Arguments.Length == 0)
            {
                Report(context, DiagnosticDescriptors.UnseededRandom, creation.Syntax.GetLocation(), "new Random()");
            }

            if (creation.Type?.ToDisplayString() == "TorchSharp.torch.Device"
                && creation.Arguments.FirstOrDefault()?.Value.ConstantValue is { HasValue: true, Value: string text }
                && text.StartsWith("cuda", StringComparison.Ordinal))
            {
                Report(context, DiagnosticDescriptors.HardCodedDevice, creation.Syntax.GetLocation(), $"new Device(\"{text}\")");
            }
        }

        public void Literal(OperationAnalysisContext context)
        {
            var literal = (ILiteralOperation)context.Operation;
            if (literal.ConstantValue is not { HasValue: true, Value: string text } || !CudaString.IsMatch(text) || ContainingModule(context) is null)
            {
                return;
            }

            // new Device("cuda") is reported once, at the creation.
            if (literal.Parent is IArgumentOperation { Parent: IObjectCreationOperation creation } && creation.Type?.ToDisplayString() == "TorchSharp.torch.Device")
            {
                return;
            }

            Report(context, DiagnosticDescriptors.HardCodedDevice, literal.Syntax.GetLocation(), $"\"{text}\"");
        }

        private INamedTypeSymbol? ContainingModule(OperationAnalysisContext context)
        {
            for (var type = context.ContainingSymbol.ContainingType; type is not null; type = type.ContainingType)
            {
                if (isModule.GetOrAdd(type, symbols.IsVoltModule))
                {
                    return type;
                }
            }

            return null;
        }

        /// <summary>The rank test (IsGlobalZero, GlobalRank) of an enclosing if or conditional, or null.</summary>
        private static string? RankCondition(IOperation operation)
        {
            for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
            {
                if (parent is IConditionalOperation conditional
                    && conditional.Condition.DescendantsAndSelf().OfType<IMemberReferenceOperation>().FirstOrDefault(m => m.Member.Name is "IsGlobalZero" or "GlobalRank") is { } rank)
                {
                    return rank.Member.Name;
                }
            }

            return null;
        }

        private bool IsOptimizationCall(IMethodSymbol method, ITypeSymbol? receiverType)
            => (method.Name == "backward" && symbols.DerivesFrom(receiverType, symbols.Tensor))
               || (method.Name is "step" or "zero_grad" && symbols.DerivesFrom(receiverType, symbols.Optimizer))
               || (method.Name == "zero_grad" && symbols.DerivesFrom(receiverType, symbols.Module));

        private static bool IsPlateauWithoutMonitor(IObjectCreationOperation creation)
        {
            var scheduler = creation.Arguments.FirstOrDefault()?.Value;
            while (scheduler is IConversionOperation conversion)
            {
                scheduler = conversion.Operand;
            }

            var isPlateau = scheduler switch
            {
                IInvocationOperation call => call.TargetMethod.Name == "ReduceLROnPlateau",
                IObjectCreationOperation nested => nested.Type?.Name == "ReduceLROnPlateau",
                _ => scheduler?.Type?.Name == "ReduceLROnPlateau",
            };

            var setsMonitor = creation.Initializer?.Initializers.OfType<ISimpleAssignmentOperation>()
                .Any(a => a.Target is IPropertyReferenceOperation { Property.Name: "Monitor" } && a.Value.ConstantValue is not { HasValue: true, Value: null }) == true;
            return isPlateau && !setsMonitor;
        }

        private static void Report(OperationAnalysisContext context, DiagnosticDescriptor descriptor, Location location, params object[] arguments)
            => context.ReportDiagnostic(Diagnostic.Create(descriptor, location, arguments));
    }

    /// <summary>
    /// Static state touched by a step or by the module's methods a step calls (transitively): the call
    /// graph and the candidate references are collected per module, then judged at the module's end.
    /// </summary>
    private static class GlobalState
    {
        public static void Start(SymbolStartAnalysisContext context, ModuleSymbols symbols)
        {
            var module = (INamedTypeSymbol)context.Symbol;
            if (!symbols.IsVoltModule(module))
            {
                return;
            }

            var calls = new ConcurrentBag<(IMethodSymbol Caller, IMethodSymbol Callee)>();
            var candidates = new ConcurrentBag<(IMethodSymbol Method, Location Location, string Verb, string Member)>();
            context.RegisterOperationAction(
                operationContext =>
                {
                    if (operationContext.ContainingSymbol is IMethodSymbol caller
                        && ((IInvocationOperation)operationContext.Operation).TargetMethod is { } callee
                        && SymbolEqualityComparer.Default.Equals(callee.ContainingType, module))
                    {
                        calls.Add((caller, callee.OriginalDefinition));
                    }
                },
                OperationKind.Invocation);
            context.RegisterOperationAction(
                operationContext =>
                {
                    var reference = (IMemberReferenceOperation)operationContext.Operation;
                    var member = reference.Member;
                    if (!member.IsStatic || operationContext.ContainingSymbol is not IMethodSymbol method)
                    {
                        return;
                    }

                    var written = IsWriteTarget(reference);
                    var mutable = member switch
                    {
                        IFieldSymbol field => !field.IsConst && !field.IsReadOnly,
                        IPropertySymbol property => written || (property.SetMethod is not null && property.DeclaringSyntaxReferences.Length > 0),
                        _ => false,
                    };

                    if (mutable)
                    {
                        candidates.Add((method, reference.Syntax.GetLocation(), written ? "writes" : "reads", member.ContainingType?.Name + "." + member.Name));
                    }
                },
                OperationKind.FieldReference,
                OperationKind.PropertyReference);

            context.RegisterSymbolEndAction(end =>
            {
                var reachable = new HashSet<IMethodSymbol>(
                    module.GetMembers().OfType<IMethodSymbol>().Where(m => symbols.StepAttribute(m) is not null),
                    SymbolEqualityComparer.Default);
                var edges = calls.ToLookup(c => c.Caller, c => c.Callee, SymbolEqualityComparer.Default);
                var pending = new Stack<IMethodSymbol>(reachable);
                while (pending.Count > 0)
                {
                    foreach (var callee in edges[pending.Pop()])
                    {
                        if (reachable.Add(callee))
                        {
                            pending.Push(callee);
                        }
                    }
                }

                foreach (var (method, location, verb, member) in candidates)
                {
                    if (reachable.Contains(method))
                    {
                        end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GlobalState, location, method.Name, verb, member));
                    }
                }
            });
        }

        private static bool IsWriteTarget(IOperation reference)
            => reference.Parent switch
            {
                IAssignmentOperation assignment => assignment.Target == reference,
                IIncrementOrDecrementOperation => true,
                _ => false,
            };
    }
}
