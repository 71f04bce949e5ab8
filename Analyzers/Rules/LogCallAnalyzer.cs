using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Log calls that throw at run time, found from the steps that reach them (the step itself or a
/// module method it calls): a metric logged twice in one phase with different options, and Log in
/// a [PredictStep].
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LogCallAnalyzer : VoltAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [DiagnosticDescriptors.LoggedWithDifferentOptions, DiagnosticDescriptors.LogInPredictStep];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
        => start.RegisterSymbolStartAction(context => Start(context, symbols), SymbolKind.NamedType);

    private static void Start(SymbolStartAnalysisContext context, ModuleSymbols symbols)
    {
        var module = (INamedTypeSymbol)context.Symbol;
        if (!symbols.IsVoltModule(module))
        {
            return;
        }

        var graph = StepCallGraph.Register(context, symbols);
        var calls = new ConcurrentBag<LogCall>();
        context.RegisterOperationAction(
            operationContext =>
            {
                var invocation = (IInvocationOperation)operationContext.Operation;
                var method = StepCallGraph.MethodOf(operationContext.ContainingSymbol);
                if (invocation.TargetMethod.Name == "Log"
                    && method is not null
                    && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType?.OriginalDefinition, module.OriginalDefinition)
                    && invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.ConstantValue is { HasValue: true, Value: string name })
                {
                    calls.Add(new LogCall(name, method.OriginalDefinition, invocation.Syntax.GetLocation(), LogOptions.Read(invocation)));
                }
            },
            OperationKind.Invocation);

        context.RegisterSymbolEndAction(end =>
        {
            var reached = graph.Reachability();
            var predictSteps = module.GetMembers().OfType<IMethodSymbol>().Where(m => graph.KindOf(m) == StepKinds.Predict).ToList();
            var ordered = calls.OrderBy(c => c.Location.SourceTree?.FilePath, System.StringComparer.Ordinal).ThenBy(c => c.Location.SourceSpan.Start).ToList();
            var reported = new HashSet<Location>();
            foreach (var call in ordered)
            {
                var kinds = reached.TryGetValue(call.Method, out var found) ? found : StepKinds.None;
                if ((kinds & StepKinds.Predict) != 0 && predictSteps.Count > 0)
                {
                    reported.Add(call.Location);
                    end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LogInPredictStep, call.Location, call.Name, predictSteps[0].Name));
                }
            }

            foreach (var (phase, steps) in Phases)
            {
                foreach (var group in ordered.Where(c => c.Options is not null && reached.TryGetValue(c.Method, out var k) && (k & steps) != 0).GroupBy(c => c.Name))
                {
                    var first = group.First();
                    var firstOptions = first.Options!.Resolve(phase == "training");
                    foreach (var call in group.Skip(1))
                    {
                        var options = call.Options!.Resolve(phase == "training");
                        if (options != firstOptions && reported.Add(call.Location))
                        {
                            var line = first.Location.GetLineSpan().StartLinePosition.Line + 1;
                            end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.LoggedWithDifferentOptions, call.Location, call.Name, phase, options, firstOptions, line));
                        }
                    }
                }
            }
        });
    }

    private static readonly (string Phase, StepKinds Steps)[] Phases =
    [
        ("training", StepKinds.Training),
        ("validation", StepKinds.Validation),
        ("test", StepKinds.Test),
    ];

    private sealed record LogCall(string Name, IMethodSymbol Method, Location Location, LogOptions? Options);

    /// <summary>The options of a Log call as written; null members take the phase's default.</summary>
    private sealed record LogOptions(bool? OnStep, bool? OnEpoch, bool ProgressBar, string Reduce)
    {
        /// <summary>The options, or null when one of them is not a constant.</summary>
        public static LogOptions? Read(IInvocationOperation invocation)
        {
            bool? onStep = null;
            bool? onEpoch = null;
            var progressBar = false;
            var reduce = "Mean";
            foreach (var argument in invocation.Arguments.Where(a => a.ArgumentKind == ArgumentKind.Explicit))
            {
                // onStep and onEpoch are bool?: the constant sits under the conversion to the nullable type.
                var value = argument.Value is IConversionOperation conversion ? conversion.Operand : argument.Value;
                var constant = value.ConstantValue;
                switch (argument.Parameter?.Name)
                {
                    case "onStep" or "onEpoch" or "progressBar" when !constant.HasValue:
                        return null;
                    case "onStep":
                        onStep = constant.Value as bool?;
                        break;
                    case "onEpoch":
                        onEpoch = constant.Value as bool?;
                        break;
                    case "progressBar":
                        progressBar = constant.Value is true;
                        break;
                    case "reduce":
                        var member = value.Type?.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, constant.Value));
                        if (!constant.HasValue || member is null)
                        {
                            return null;
                        }

                        reduce = member.Name;
                        break;
                }
            }

            return new LogOptions(onStep, onEpoch, progressBar, reduce);
        }

        /// <summary>The options as the metric collector resolves them: per step in training, per epoch elsewhere, by default.</summary>
        public string Resolve(bool training)
            => $"onStep: {Text(OnStep ?? training)}, onEpoch: {Text(OnEpoch ?? !training)}, progressBar: {Text(ProgressBar)}, reduce: MetricReduce.{Reduce}";

        private static string Text(bool value) => value ? "true" : "false";
    }
}
