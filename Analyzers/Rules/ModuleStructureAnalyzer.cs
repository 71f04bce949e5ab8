using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Analyzers.Rules;

/// <summary>
/// Reports every reason the generator skips a class (the generator's own parser decides), so no
/// class with step attributes is silently left without a training loop.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ModuleStructureAnalyzer : VoltAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } =
    [
        DiagnosticDescriptors.NotPartial,
        DiagnosticDescriptors.NoTrainingStep,
        DiagnosticDescriptors.MissingConfigureOptimizers,
        DiagnosticDescriptors.DuplicateStepAttribute,
        DiagnosticDescriptors.UnsupportedStepSignature,
        DiagnosticDescriptors.UnsupportedHyperparameter,
        DiagnosticDescriptors.UnsupportedBatchType,
        DiagnosticDescriptors.NameConflict,
        DiagnosticDescriptors.NotAModule,
        DiagnosticDescriptors.UnsupportedConfigureOptimizers,
        DiagnosticDescriptors.DerivesFromVoltModule,
        DiagnosticDescriptors.NotAClass,
        DiagnosticDescriptors.UnsupportedClassShape,
        DiagnosticDescriptors.MonitorWithoutMetric,
    ];

    /// <inheritdoc/>
    private protected override void Register(CompilationStartAnalysisContext start, ModuleSymbols symbols)
        => start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, symbols), SymbolKind.NamedType);

    private static void Analyze(SymbolAnalysisContext context, ModuleSymbols symbols)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!symbols.IsVoltModule(type))
        {
            ReportIgnoredConfigureOptimizers(context, type);
            return;
        }

        ModuleParser.Parse(context.Compilation, type, out var problems, context.CancellationToken);

        // One "make it partial" diagnostic per class: its fix makes every containing type partial too.
        var notPartial = problems.Where(p => p.Kind == ModuleProblemKind.NotPartial).ToList();
        if (notPartial.Count > 0)
        {
            var notPartialTypes = string.Join(", ", notPartial.Select(p => "'" + p.Subject + "'"));
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotPartial, TypeLocation(type), type.Name, notPartialTypes));
        }

        foreach (var problem in problems.Where(p => p.Kind != ModuleProblemKind.NotPartial))
        {
            context.ReportDiagnostic(Diagnostic.Create(DescriptorFor(problem.Kind), Locate(type, problem), problem.Arguments.Cast<object>().ToArray()));
        }

        var steps = type.GetMembers().OfType<IMethodSymbol>().Select(m => symbols.StepAttribute(m)).Where(a => a is not null).ToList();
        if (problems.Count == 0 && !steps.Any(a => SymbolEqualityComparer.Default.Equals(a!.AttributeClass, symbols.TrainingStep)))
        {
            var first = steps[0]!.AttributeClass!.Name.Replace("Attribute", string.Empty);
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NoTrainingStep, TypeLocation(type), type.Name, first));
        }
    }

    /// <summary>
    /// A class that derives from a Volt module without steps of its own runs the base's generated
    /// loop, which calls the base's [ConfigureOptimizers]; one declared here would be ignored.
    /// </summary>
    private static void ReportIgnoredConfigureOptimizers(SymbolAnalysisContext context, INamedTypeSymbol type)
    {
        var configure = type.GetMembers().OfType<IMethodSymbol>().FirstOrDefault(m => ModuleParser.HasAttribute(m, Generators.WellKnownNames.ConfigureOptimizersAttribute));
        if (configure is null || ModuleParser.FindBaseVoltModule(type) is not { } baseModule)
        {
            return;
        }

        var declares = $"declares [ConfigureOptimizers] '{configure.Name}', which is ignored";
        context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DerivesFromVoltModule, configure.Locations.FirstOrDefault() ?? Location.None, type.Name, declares, baseModule.Name));
    }

    /// <summary>The diagnostic of each problem kind; a kind without one throws, and a test enumerates every kind.</summary>
    internal static DiagnosticDescriptor DescriptorFor(ModuleProblemKind kind) => kind switch
    {
        ModuleProblemKind.NotAClass => DiagnosticDescriptors.NotAClass,
        ModuleProblemKind.NotPartial => DiagnosticDescriptors.NotPartial,
        ModuleProblemKind.NotAModule => DiagnosticDescriptors.NotAModule,
        ModuleProblemKind.UnsupportedClassShape => DiagnosticDescriptors.UnsupportedClassShape,
        ModuleProblemKind.DuplicateStepAttribute => DiagnosticDescriptors.DuplicateStepAttribute,
        ModuleProblemKind.UnsupportedStepSignature => DiagnosticDescriptors.UnsupportedStepSignature,
        ModuleProblemKind.MissingConfigureOptimizers => DiagnosticDescriptors.MissingConfigureOptimizers,
        ModuleProblemKind.UnsupportedConfigureOptimizers => DiagnosticDescriptors.UnsupportedConfigureOptimizers,
        ModuleProblemKind.UnsupportedBatchType => DiagnosticDescriptors.UnsupportedBatchType,
        ModuleProblemKind.UnsupportedHyperparameter => DiagnosticDescriptors.UnsupportedHyperparameter,
        ModuleProblemKind.NameConflict => DiagnosticDescriptors.NameConflict,
        ModuleProblemKind.MonitorWithoutMetric => DiagnosticDescriptors.MonitorWithoutMetric,
        ModuleProblemKind.DerivesFromVoltModule => DiagnosticDescriptors.DerivesFromVoltModule,
        _ => throw new System.ArgumentOutOfRangeException(nameof(kind), kind, "A ModuleProblemKind without a diagnostic."),
    };

    /// <summary>
    /// The place a problem is about: the named member or parameter; else the class name (also for a
    /// containing type that is not partial: diagnostics stay inside the analyzed class, and its fix
    /// makes the containing types partial too).
    /// </summary>
    private static Location Locate(INamedTypeSymbol type, ModuleProblem problem)
    {
        if (problem.Subject == type.Name)
        {
            return TypeLocation(type);
        }

        var member = type.GetMembers(problem.Subject).FirstOrDefault(UserCode.IsUserDeclared);
        if (member?.Locations.FirstOrDefault(l => l.IsInSource) is { } memberLocation)
        {
            return memberLocation;
        }

        var parameter = type.InstanceConstructors.SelectMany(c => c.Parameters).FirstOrDefault(p => p.Name == problem.Subject);
        if (parameter?.Locations.FirstOrDefault(l => l.IsInSource) is { } parameterLocation)
        {
            return parameterLocation;
        }

        return TypeLocation(type);
    }

    /// <summary>The identifier of the type's first user-written declaration.</summary>
    internal static Location TypeLocation(INamedTypeSymbol type)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (!UserCode.IsGeneratedByVolt(reference.SyntaxTree) && reference.GetSyntax() is TypeDeclarationSyntax declaration)
            {
                return declaration.Identifier.GetLocation();
            }
        }

        return type.Locations.FirstOrDefault() ?? Location.None;
    }
}
