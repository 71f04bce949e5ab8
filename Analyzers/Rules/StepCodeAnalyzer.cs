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
/// without a monitor, and host synchronizations. The step rules cover the module's methods a step
/// calls too (<see cref="StepReachedRules"/>).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed partial class StepCodeAnalyzer : VoltAnalyzer
{
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
        var staticWrites = StaticWrites.Register(start);
        start.RegisterSymbolStartAction(symbolStart => StepReachedRules.Start(symbolStart, symbols, staticWrites), SymbolKind.NamedType);
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
}
