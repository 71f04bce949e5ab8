using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Volt.Generators;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Checks [Monitor] names against the module's Log calls with constant names: a name nobody logs
/// (with the closest logged name as the fix), and a name logged only per step in training.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class MetricNameAnalyzer : VoltAnalyzer
{
    /// <summary>The diagnostic property that carries the suggested metric name.</summary>
    public const string ClosestNameProperty = "ClosestName";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [DiagnosticDescriptors.MonitorNotLogged, DiagnosticDescriptors.MonitorLoggedPerStepOnly, DiagnosticDescriptors.CallbackMonitorNotLogged];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
    {
        start.RegisterSymbolStartAction(symbolStart => Start(symbolStart, symbols), SymbolKind.NamedType);
        CallbackMonitors.Register(start);
    }

    /// <summary>
    /// Constant monitor names given to ModelCheckpoint, EarlyStopping or SchedulerConfig, checked at the
    /// end of the compilation against every constant Log name of every module in it.
    /// </summary>
    private static class CallbackMonitors
    {
        private static readonly string[] Owners = ["Volt.Callbacks.ModelCheckpoint", "Volt.Callbacks.EarlyStopping", "Volt.SchedulerConfig"];

        public static void Register(CompilationStartAnalysisContext start)
        {
            var logged = new ConcurrentBag<string?>();
            var monitors = new ConcurrentBag<(string Owner, string Name, Location Location)>();
            start.RegisterOperationAction(
                context =>
                {
                    var invocation = (IInvocationOperation)context.Operation;
                    if (invocation.TargetMethod.Name == "Log" && invocation.TargetMethod.ContainingType?.AllInterfaces.Any(i => i.ToDisplayString() == "Volt.IVoltModule") == true)
                    {
                        var name = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0)?.Value.ConstantValue;
                        logged.Add(name is { HasValue: true, Value: string text } ? text : null);
                    }
                },
                OperationKind.Invocation);
            start.RegisterOperationAction(
                context =>
                {
                    var assignment = (ISimpleAssignmentOperation)context.Operation;
                    if (assignment.Target is IPropertyReferenceOperation { Property.Name: "Monitor" } property
                        && Owners.Contains(property.Property.ContainingType?.ToDisplayString())
                        && assignment.Value.ConstantValue is { HasValue: true, Value: string name })
                    {
                        monitors.Add((property.Property.ContainingType!.Name, name, assignment.Value.Syntax.GetLocation()));
                    }
                },
                OperationKind.SimpleAssignment);
            start.RegisterCompilationEndAction(end =>
            {
                if (logged.IsEmpty || logged.Any(n => n is null))
                {
                    return; // no modules here, or computed names: stay silent
                }

                var names = new HashSet<string>(logged.Select(n => n!), StringComparer.Ordinal);
                foreach (var (owner, name, location) in monitors)
                {
                    if (!names.Contains(name))
                    {
                        var closest = names.OrderBy(k => Distance(k, name)).ThenBy(k => k, StringComparer.Ordinal).First();
                        end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.CallbackMonitorNotLogged, location, owner, name, $"; did you mean '{closest}'?"));
                    }
                }
            });
        }
    }

    private static void Start(SymbolStartAnalysisContext context, ModuleSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var monitor = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == WellKnownNames.MonitorAttribute);
        if (monitor is null || monitor.ConstructorArguments.FirstOrDefault().Value is not string metric || !symbols.IsVoltModule(type))
        {
            return;
        }

        var graph = StepCallGraph.Register(context, symbols);
        var calls = new ConcurrentBag<(string? Name, IInvocationOperation Call, IMethodSymbol? Method)>();
        context.RegisterOperationAction(
            operationContext =>
            {
                var invocation = (IInvocationOperation)operationContext.Operation;
                if (invocation.TargetMethod.Name != "Log"
                    || !SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType, type)
                    || invocation.Arguments.Length == 0)
                {
                    return;
                }

                var nameArgument = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
                var name = nameArgument?.Value.ConstantValue is { HasValue: true, Value: string text } ? text : null;
                var method = StepCallGraph.MethodOf(operationContext.ContainingSymbol);
                calls.Add((name, invocation, method));
            },
            OperationKind.Invocation);

        context.RegisterSymbolEndAction(end =>
        {
            var reached = graph.Reachability();
            Report(end, monitor, metric, calls.Select(c => (c.Name, PerEpoch(c.Call, c.Method, reached))).ToList());
        });
    }

    private static void Report(SymbolAnalysisContext context, AttributeData monitor, string metric, List<(string? Name, bool PerEpoch)> calls)
    {
        if (calls.Any(c => c.Name is null))
        {
            return; // a computed name could be anything: stay silent rather than guess
        }

        var logged = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var (name, perEpoch) in calls)
        {
            logged[name!] = logged.TryGetValue(name!, out var before) ? before || perEpoch : perEpoch;
        }

        var location = monitor.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken) is AttributeSyntax { ArgumentList.Arguments.Count: > 0 } attribute
            ? attribute.ArgumentList.Arguments[0].GetLocation()
            : Location.None;
        if (!logged.TryGetValue(metric, out var loggedPerEpoch))
        {
            var closest = logged.Keys.OrderBy(k => Distance(k, metric)).ThenBy(k => k, StringComparer.Ordinal).FirstOrDefault();
            var properties = closest is null
                ? ImmutableDictionary<string, string?>.Empty
                : ImmutableDictionary<string, string?>.Empty.Add(ClosestNameProperty, closest);
            var hint = closest is null ? "; no step logs a metric with a constant name" : $"; did you mean '{closest}'?";
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MonitorNotLogged, location, properties, metric, hint));
        }
        else if (!loggedPerEpoch)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MonitorLoggedPerStepOnly, location, metric));
        }
    }

    /// <summary>
    /// True when the call aggregates per epoch: by default when it runs outside the training step,
    /// inside it (or in a method only the training step calls) only with onEpoch: true.
    /// </summary>
    private static bool PerEpoch(IInvocationOperation invocation, IMethodSymbol? method, IReadOnlyDictionary<IMethodSymbol, StepKinds> reached)
    {
        var onEpoch = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Name == "onEpoch");
        if (onEpoch is { ArgumentKind: ArgumentKind.Explicit })
        {
            var value = onEpoch.Value is IConversionOperation conversion ? conversion.Operand : onEpoch.Value; // bool to bool?
            return value.ConstantValue is not { HasValue: true, Value: false };
        }

        var kinds = method is not null && reached.TryGetValue(method.OriginalDefinition, out var found) ? found : StepKinds.None;
        return kinds == StepKinds.None || (kinds & ~StepKinds.Training) != StepKinds.None;
    }

    /// <summary>Levenshtein distance, for the "did you mean" suggestion.</summary>
    internal static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }
}
