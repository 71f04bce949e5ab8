using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Generators;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Trainer.Fit, Validate, Test and Predict calls that C# rejects with "type arguments cannot be
/// inferred" (CS0411) or an interface conversion error (CS1503), which name neither the step nor
/// the batch types: reports the real cause at the call, a loader whose batch type differs from the
/// step's, or a module without the step the call runs. Only calls that fail to bind are examined.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TrainerCallAnalyzer : VoltAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
        [DiagnosticDescriptors.LoaderBatchMismatch, DiagnosticDescriptors.TrainerCallWithoutStep];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
    {
        var trainer = start.Compilation.GetTypeByMetadataName("Volt.Trainer");
        var loader = start.Compilation.GetTypeByMetadataName("Volt.Data.IDataLoader`1");
        if (trainer is not null && loader is not null)
        {
            start.RegisterSyntaxNodeAction(context => Analyze(context, symbols, trainer, loader), SyntaxKind.InvocationExpression);
        }
    }

    private static void Analyze(SyntaxNodeAnalysisContext context, ModuleSymbols symbols, INamedTypeSymbol trainer, INamedTypeSymbol loader)
    {
        var invocation = (InvocationExpressionSyntax)context.Node;
        if (invocation.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Fit" or "Validate" or "Test" or "Predict" } access)
        {
            return;
        }

        var info = context.SemanticModel.GetSymbolInfo(invocation, context.CancellationToken);
        if (info.Symbol is not null || !info.CandidateSymbols.Any(c => SymbolEqualityComparer.Default.Equals(c.ContainingType, trainer)))
        {
            return;
        }

        var call = access.Name.Identifier.ValueText;
        var arguments = invocation.ArgumentList.Arguments;
        if (Argument(arguments, 0, "module") is not { } moduleArgument
            || context.SemanticModel.GetTypeInfo(moduleArgument.Expression, context.CancellationToken).Type is not INamedTypeSymbol module
            || !HasAnyStep(module, symbols))
        {
            return;
        }

        // Fit runs the training step on its second argument and the validation step on its third.
        var checks = call == "Fit"
            ? new[] { (WellKnownNames.TrainingStepAttribute, Argument(arguments, 1, "train")), (WellKnownNames.ValidationStepAttribute, Argument(arguments, 2, "validation")) }
            : [(StepFor(call), Argument(arguments, 1, "data"))];
        foreach (var (attribute, data) in checks)
        {
            var display = attribute.Substring("Volt.".Length, attribute.Length - "Volt.".Length - "Attribute".Length);
            var step = FindStep(module, attribute);
            if (step is null)
            {
                if (data is not null || attribute == WellKnownNames.TrainingStepAttribute)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.TrainerCallWithoutStep, moduleArgument.GetLocation(), module.Name, display, call));
                }

                continue;
            }

            if (data is null || step.Parameters.Length == 0
                || BatchTypeOf(context.SemanticModel.GetTypeInfo(data.Expression, context.CancellationToken).Type, loader) is not { } yielded)
            {
                continue;
            }

            var taken = step.Parameters[0].Type;
            if (!context.SemanticModel.Compilation.ClassifyConversion(yielded, taken).IsIdentity)
            {
                context.ReportDiagnostic(Diagnostic.Create(
                    DiagnosticDescriptors.LoaderBatchMismatch,
                    data.GetLocation(),
                    module.Name,
                    display,
                    step.Name,
                    taken.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat),
                    yielded.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)));
            }
        }
    }

    private static string StepFor(string call) => call switch
    {
        "Validate" => WellKnownNames.ValidationStepAttribute,
        "Test" => WellKnownNames.TestStepAttribute,
        _ => WellKnownNames.PredictStepAttribute,
    };

    /// <summary>The argument for the parameter at <paramref name="position"/> or named <paramref name="name"/>.</summary>
    private static ArgumentSyntax? Argument(SeparatedSyntaxList<ArgumentSyntax> arguments, int position, string name)
        => arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == name)
           ?? (position < arguments.Count && arguments[position].NameColon is null ? arguments[position] : null);

    private static bool HasAnyStep(INamedTypeSymbol module, ModuleSymbols symbols)
    {
        for (var type = module; type is not null; type = type.BaseType)
        {
            if (symbols.IsVoltModule(type))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The method with <paramref name="attribute"/> on the module or a base class.</summary>
    private static IMethodSymbol? FindStep(INamedTypeSymbol module, string attribute)
    {
        for (var type = module; type is not null; type = type.BaseType)
        {
            var step = type.GetMembers().OfType<IMethodSymbol>().FirstOrDefault(m => Generators.Parsing.ModuleParser.HasAttribute(m, attribute));
            if (step is not null)
            {
                return step;
            }
        }

        return null;
    }

    /// <summary>The TBatch of an IDataLoader&lt;TBatch&gt; (the type itself or an interface it implements), or null.</summary>
    private static ITypeSymbol? BatchTypeOf(ITypeSymbol? type, INamedTypeSymbol loader)
    {
        if (type is INamedTypeSymbol named && SymbolEqualityComparer.Default.Equals(named.OriginalDefinition, loader))
        {
            return named.TypeArguments[0];
        }

        return type?.AllInterfaces.FirstOrDefault(i => SymbolEqualityComparer.Default.Equals(i.OriginalDefinition, loader))?.TypeArguments[0];
    }
}
