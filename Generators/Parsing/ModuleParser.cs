using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Turns a module class symbol into a <see cref="ModuleModel"/>, or into the list of problems that
/// stop generation. This is the one validity check: the generator emits nothing for a class with
/// problems, and the analyzers report the same problems as diagnostics. The class-level rules live
/// here; each concept has its parser (<see cref="HierarchyParser"/>, <see cref="StepMethodParser"/>,
/// <see cref="OptimizerShapeParser"/>, <see cref="BatchTypeParser"/>, <see cref="HyperparameterParser"/>,
/// <see cref="SearchSpaceParser"/>), all adding to one problem list.
/// </summary>
internal sealed partial class ModuleParser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly string[] StepAttributeOrder =
    [
        WellKnownNames.TrainingStepAttribute,
        WellKnownNames.ValidationStepAttribute,
        WellKnownNames.TestStepAttribute,
        WellKnownNames.PredictStepAttribute,
    ];

    private readonly Compilation compilation;
    private readonly INamedTypeSymbol type;
    private readonly CancellationToken cancellationToken;
    private readonly List<ModuleProblem> problems = [];
    private readonly TorchSymbols? torch;
    private HierarchyInfo? hierarchy;

    private ModuleParser(Compilation compilation, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        this.compilation = compilation;
        this.type = type;
        this.cancellationToken = cancellationToken;
        torch = TorchSymbols.Resolve(compilation);
    }

    /// <summary>Parses <paramref name="type"/>; returns the model, or null with <paramref name="problems"/> filled.</summary>
    public static ModuleModel? Parse(Compilation compilation, INamedTypeSymbol type, out IReadOnlyList<ModuleProblem> problems, CancellationToken cancellationToken)
    {
        var parser = new ModuleParser(compilation, type, cancellationToken);
        var model = parser.Parse();
        problems = parser.problems;
        return parser.problems.Count == 0 ? model : null;
    }

    /// <summary>
    /// True when <paramref name="method"/> is the method that owns generation for its class: the first
    /// method with the first step attribute of the order TrainingStep, ValidationStep, TestStep,
    /// PredictStep that the class uses. Each class is generated once, from that trigger, even when
    /// an attribute is (wrongly) used twice.
    /// </summary>
    public static bool IsGenerationTrigger(IMethodSymbol method)
    {
        var type = method.ContainingType;
        foreach (var candidate in StepAttributeOrder)
        {
            var first = type.GetMembers().OfType<IMethodSymbol>().FirstOrDefault(m => HasAttribute(m, candidate));
            if (first is not null)
            {
                return SymbolEqualityComparer.Default.Equals(first, method);
            }
        }

        return false;
    }

    /// <summary>The nearest base class of <paramref name="derived"/> with step attributes, or null.</summary>
    internal static INamedTypeSymbol? FindBaseVoltModule(INamedTypeSymbol derived)
    {
        for (var current = derived.BaseType; current is not null; current = current.BaseType)
        {
            if (current.GetMembers().OfType<IMethodSymbol>().Any(m => StepAttributeOrder.Any(a => HasAttribute(m, a))))
            {
                return current;
            }
        }

        return null;
    }

    /// <summary>
    /// Finds the one method of <paramref name="owner"/> with the attribute; false (with a problem reported)
    /// when two methods have it. <paramref name="found"/> is null when none has it.
    /// </summary>
    internal static bool FindSingleMethod(INamedTypeSymbol owner, string attributeName, string display, List<ModuleProblem> problems, out IMethodSymbol? found)
    {
        found = null;
        foreach (var method in owner.GetMembers().OfType<IMethodSymbol>())
        {
            if (!HasAttribute(method, attributeName))
            {
                continue;
            }

            if (found is not null)
            {
                problems.Report(ModuleProblemKind.DuplicateStepAttribute, method.Name, display, found.Name, method.Name);
                found = null;
                return false;
            }

            found = method;
        }

        return true;
    }

    internal static bool HasAttribute(ISymbol symbol, string metadataName)
        => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

    private ModuleModel? Parse()
    {
        if (torch is null)
        {
            problems.Report(ModuleProblemKind.NotAModule, type.Name, type.Name, "TorchSharp is not referenced");
            return null;
        }

        if (type.TypeKind != TypeKind.Class || type.IsRecord)
        {
            var what = HierarchyParser.TypeKeyword(type) switch
            {
                "record struct" => "a record struct",
                "record" => "a record",
                "struct" => "a struct",
                "interface" => "an interface",
                _ => "not a class",
            };
            problems.Report(ModuleProblemKind.NotAClass, type.Name, type.Name, what);
            return null;
        }

        hierarchy = new HierarchyParser(type, problems, cancellationToken).Parse();
        if (CheckBaseModules())
        {
            return null; // the base's loop runs; this class's other problems would only add noise
        }

        CheckClassShape(torch);

        var training = FindStep(WellKnownNames.TrainingStepAttribute, "[TrainingStep]");
        var validation = FindStep(WellKnownNames.ValidationStepAttribute, "[ValidationStep]");
        var test = FindStep(WellKnownNames.TestStepAttribute, "[TestStep]");
        var predict = FindStep(WellKnownNames.PredictStepAttribute, "[PredictStep]");

        var batches = new BatchTypeParser(type, compilation, torch, problems);
        var steps = new StepMethodParser(compilation, torch, batches, problems, TypeFormat);
        var optimizerParser = new OptimizerShapeParser(type, compilation, torch, problems);
        var optimizers = training is null ? null : optimizerParser.Parse();
        var trainingModel = training is null ? null : steps.ParseTraining(training, optimizers, optimizerParser.ReturnType);
        var validationModel = validation is null ? null : steps.ParseEvaluation(validation, "[ValidationStep]");
        var testModel = test is null ? null : steps.ParseEvaluation(test, "[TestStep]");
        var predictModel = predict is null ? null : steps.ParsePredict(predict);

        var hyperparameters = new HyperparameterParser(type, compilation, problems, TypeFormat).Parse();
        CheckNameConflicts(hyperparameters);
        var monitor = ParseMonitor();
        var searchSpace = new SearchSpaceParser(type, compilation, hyperparameters, []).Parse();
        var registrationOverrides = WellKnownNames.RegistrationMembers
            .Where(name => !type.GetMembers(name).Any(UserCode.IsUserDeclared))
            .ToEquatableArray();

        return new ModuleModel(
            hierarchy,
            type.Name,
            HierarchyParser.DeclarationName(type),
            trainingModel,
            optimizers,
            validationModel,
            testModel,
            predictModel,
            batches.BatchTypes.ToEquatableArray(),
            hyperparameters,
            monitor,
            registrationOverrides,
            searchSpace);
    }

    private void CheckClassShape(TorchSymbols torch)
    {
        if (!TorchSymbols.DerivesFrom(type, torch.Module))
        {
            problems.Report(ModuleProblemKind.NotAModule, type.Name, type.Name, "does not derive from nn.Module");
        }

        if (type.IsStatic)
        {
            problems.Report(ModuleProblemKind.UnsupportedClassShape, type.Name, type.Name, "is static");
        }
        else if (type.IsAbstract)
        {
            problems.Report(ModuleProblemKind.UnsupportedClassShape, type.Name, type.Name, "is abstract");
        }
    }

    /// <summary>
    /// One class of a hierarchy owns the generated loop: a module whose base class has Volt step
    /// attributes too would get a second loop and a second module state that hide the base's.
    /// A class that derives from a Volt module and overrides its virtual steps without attributes
    /// needs no code of its own and is not parsed at all.
    /// </summary>
    private bool CheckBaseModules()
    {
        if (FindBaseVoltModule(type) is not { } baseModule)
        {
            return false;
        }

        var own = string.Join(", ", type.GetMembers().OfType<IMethodSymbol>().Where(IsStepOrConfiguration).Select(m => "'" + m.Name + "'"));
        problems.Report(ModuleProblemKind.DerivesFromVoltModule, type.Name, type.Name, $"has Volt attributes on {own}", baseModule.Name);
        return true;
    }

    private static bool IsStepOrConfiguration(IMethodSymbol method)
        => StepAttributeOrder.Any(a => HasAttribute(method, a)) || HasAttribute(method, WellKnownNames.ConfigureOptimizersAttribute);

    private IMethodSymbol? FindStep(string attributeName, string display)
        => FindSingleMethod(type, attributeName, display, problems, out var found) ? found : null;

    private MonitorModel? ParseMonitor()
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            var attribute = current.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == WellKnownNames.MonitorAttribute);
            if (attribute is null)
            {
                continue;
            }

            var args = attribute.ConstructorArguments;
            if (args.Length < 1 || args[0].Value is not string metric || string.IsNullOrWhiteSpace(metric))
            {
                problems.Report(ModuleProblemKind.MonitorWithoutMetric, "Monitor", current.Name);
                return null;
            }

            var mode = args.Length > 1 && args[1].Value is int value && value == 1 ? "Max" : "Min";
            return new MonitorModel(metric, mode);
        }

        return null;
    }

    private void CheckNameConflicts(HyperparametersModel hyperparameters)
    {
        foreach (var name in WellKnownNames.GeneratedMemberNames)
        {
            var clash = type.GetMembers(name).FirstOrDefault(UserCode.IsUserDeclared);
            if (clash is not null)
            {
                problems.Report(ModuleProblemKind.NameConflict, name, type.Name, "declares", name, string.Empty);
                continue;
            }

            // A base class's member of the same name would be hidden by the generated one (CS0108).
            var inherited = InheritedMember(name);
            if (inherited is not null && FindBaseVoltModule(type) is null)
            {
                problems.Report(ModuleProblemKind.NameConflict, type.Name, type.Name, $"inherits from '{inherited.ContainingType.Name}'", name, string.Empty);
            }
        }

        foreach (var item in hyperparameters.Items)
        {
            if (item.Source == HyperparameterSource.ConstructorParameter && type.GetMembers(item.MemberName).Any(UserCode.IsUserDeclared))
            {
                problems.Report(ModuleProblemKind.NameConflict, item.MemberName, type.Name, "declares", item.MemberName, $" to keep the hyperparameter '{item.Name}'");
            }
        }
    }

    private ISymbol? InheritedMember(string name)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            var member = current.GetMembers(name).FirstOrDefault(m => !m.IsImplicitlyDeclared && compilation.IsSymbolAccessibleWithin(m, type));
            if (member is not null)
            {
                return member;
            }
        }

        return null;
    }
}
