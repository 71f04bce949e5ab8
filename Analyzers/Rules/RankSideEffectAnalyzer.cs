using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Volt.Analyzers.Rules;

/// <summary>
/// VOLT0037: a step (or a module method a step calls) writes a file or prints without testing the
/// rank. Under data-parallel training every process runs the step, so each one would write the file
/// or print the line (Lightning's <c>rank_zero_only</c> concern). Calls under a condition that reads
/// <c>IsGlobalZero</c> or <c>GlobalRank</c> are left alone.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RankSideEffectAnalyzer : VoltAnalyzer
{
    /// <summary>The System.IO.File and Directory methods that change the file system.</summary>
    private static readonly HashSet<string> FileWrites = new(StringComparer.Ordinal)
    {
        "WriteAllText", "WriteAllLines", "WriteAllBytes", "WriteAllTextAsync", "WriteAllLinesAsync", "WriteAllBytesAsync",
        "AppendAllText", "AppendAllLines", "AppendAllTextAsync", "AppendAllLinesAsync", "AppendText",
        "Create", "CreateText", "OpenWrite", "Copy", "Move", "Delete", "Replace", "CreateDirectory",
    };

    /// <summary>The writer types whose construction opens a file for writing.</summary>
    private static readonly HashSet<string> WriterTypes = new(StringComparer.Ordinal)
    {
        "System.IO.StreamWriter", "System.IO.FileStream", "System.IO.BinaryWriter",
    };

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = [DiagnosticDescriptors.RankUnsafeSideEffect];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
        => start.RegisterSymbolStartAction(context => Start(context, symbols), SymbolKind.NamedType);

    private static void Start(SymbolStartAnalysisContext context, ModuleSymbols symbols)
    {
        if (!symbols.IsVoltModule((INamedTypeSymbol)context.Symbol))
        {
            return;
        }

        var graph = StepCallGraph.Register(context, symbols);
        var candidates = new ConcurrentBag<(IMethodSymbol Method, Location Location, string What)>();
        context.RegisterOperationAction(
            operation =>
            {
                if (StepCallGraph.MethodOf(operation.ContainingSymbol) is { } method && SideEffect(operation.Operation) is { } what && !UnderRankTest(operation.Operation))
                {
                    candidates.Add((method, operation.Operation.Syntax.GetLocation(), what));
                }
            },
            OperationKind.Invocation,
            OperationKind.ObjectCreation);
        context.RegisterSymbolEndAction(end =>
        {
            var reached = graph.Reachability();
            foreach (var (method, location, what) in candidates)
            {
                if (reached.ContainsKey(method.OriginalDefinition))
                {
                    end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RankUnsafeSideEffect, location, what));
                }
            }
        });
    }

    /// <summary>The side effect's name ("Console.WriteLine", "File.WriteAllText", "new StreamWriter"), or null.</summary>
    private static string? SideEffect(IOperation operation)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                var method = invocation.TargetMethod;
                var type = method.ContainingType?.ToDisplayString();
                if (type == "System.Console" && method.Name is "Write" or "WriteLine")
                {
                    return "Console." + method.Name;
                }

                if (type is "System.IO.File" or "System.IO.Directory" && FileWrites.Contains(method.Name))
                {
                    return type.Substring("System.IO.".Length) + "." + method.Name;
                }

                // Console.Out.WriteLine / Console.Error.Write: a TextWriter call on a Console property.
                if (method.Name is "Write" or "WriteLine"
                    && invocation.Instance is IPropertyReferenceOperation { Property.ContainingType: { } owner } stream
                    && owner.ToDisplayString() == "System.Console")
                {
                    return "Console." + stream.Property.Name + "." + method.Name;
                }

                return null;
            case IObjectCreationOperation creation when creation.Type is { } created && WriterTypes.Contains(created.ToDisplayString()):
                return "new " + created.Name;
            default:
                return null;
        }
    }

    /// <summary>Whether an enclosing if or conditional expression tests IsGlobalZero or GlobalRank.</summary>
    private static bool UnderRankTest(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IConditionalOperation conditional
                && conditional.Condition.DescendantsAndSelf().OfType<IMemberReferenceOperation>().Any(m => m.Member.Name is "IsGlobalZero" or "GlobalRank"))
            {
                return true;
            }
        }

        return false;
    }
}
