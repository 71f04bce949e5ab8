using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Turns a module class symbol into a <see cref="ModuleModel"/>, or into the list of problems that
/// stop generation. This is the one validity check: the generator emits nothing for a class with
/// problems, and the analyzers report the same problems as diagnostics.
/// </summary>
internal sealed partial class ModuleParser
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly Compilation compilation;
    private readonly INamedTypeSymbol type;
    private readonly CancellationToken cancellationToken;
    private readonly List<ModuleProblem> problems = [];
    private readonly INamedTypeSymbol? tensorType;
    private readonly INamedTypeSymbol? moduleType;
    private readonly INamedTypeSymbol? optimizerType;
    private ITypeSymbol? configureOptimizersReturnType;
    private HierarchyInfo? hierarchy;

    private ModuleParser(Compilation compilation, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        this.compilation = compilation;
        this.type = type;
        this.cancellationToken = cancellationToken;
        tensorType = compilation.GetTypeByMetadataName(WellKnownNames.Tensor);
        moduleType = compilation.GetTypeByMetadataName(WellKnownNames.Module);
        optimizerType = compilation.GetTypeByMetadataName(WellKnownNames.Optimizer);
    }

    /// <summary>The problems found; empty when a model was built.</summary>
    public IReadOnlyList<ModuleProblem> Problems => problems;

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

    private static readonly string[] StepAttributeOrder =
    [
        WellKnownNames.TrainingStepAttribute,
        WellKnownNames.ValidationStepAttribute,
        WellKnownNames.TestStepAttribute,
        WellKnownNames.PredictStepAttribute,
    ];

    private ModuleModel? Parse()
    {
        if (tensorType is null || moduleType is null || optimizerType is null)
        {
            Report(ModuleProblemKind.NotAModule, type.Name, "TorchSharp is not referenced; a Volt module derives from TorchSharp's nn.Module.");
            return null;
        }

        if (type.TypeKind != TypeKind.Class || type.IsRecord)
        {
            var what = TypeKeyword(type) switch
            {
                "record struct" => "a record struct",
                "record" => "a record",
                "struct" => "a struct",
                "interface" => "an interface",
                _ => "not a class",
            };
            Report(ModuleProblemKind.NotAClass, type.Name, $"'{type.Name}' is {what}; step attributes belong on methods of a partial class that derives from nn.Module.");
            return null;
        }

        hierarchy = ParseHierarchy();
        if (CheckBaseModules())
        {
            return null; // the base's loop runs; this class's other problems would only add noise
        }

        if (!DerivesFrom(type, moduleType))
        {
            Report(ModuleProblemKind.NotAModule, type.Name, $"'{type.Name}' has step methods but does not derive from TorchSharp's nn.Module (for example Module<Tensor, Tensor>).");
        }

        if (type.IsAbstract || type.IsStatic)
        {
            Report(ModuleProblemKind.UnsupportedClassShape, type.Name, $"'{type.Name}' is abstract or static; a module class with step methods must be a concrete class.");
        }

        var training = ParseStep(WellKnownNames.TrainingStepAttribute, "[TrainingStep]");
        var validation = ParseStep(WellKnownNames.ValidationStepAttribute, "[ValidationStep]");
        var test = ParseStep(WellKnownNames.TestStepAttribute, "[TestStep]");
        var predict = ParseStep(WellKnownNames.PredictStepAttribute, "[PredictStep]");

        var batchTypes = new List<BatchTypeModel>();
        var optimizers = training is null ? null : ParseConfigureOptimizers();
        var trainingModel = training is null ? null : ParseTrainingStep(training, optimizers, batchTypes);
        var validationModel = validation is null ? null : ParseEvaluationStep(validation, "[ValidationStep]", batchTypes);
        var testModel = test is null ? null : ParseEvaluationStep(test, "[TestStep]", batchTypes);
        var predictModel = predict is null ? null : ParsePredictStep(predict, batchTypes);

        var hyperparameters = new HyperparameterParser(type, compilation, problems, TypeFormat).Parse();
        CheckNameConflicts(hyperparameters);
        var monitor = ParseMonitor();
        var searchSpace = new SearchSpaceParser(type, compilation, hyperparameters, []).Parse();
        var registrationOverrides = WellKnownNames.RegistrationMembers
            .Where(name => !type.GetMembers(name).Any(IsUserDeclared))
            .ToEquatableArray();

        return new ModuleModel(
            hierarchy,
            type.Name,
            DeclarationName(type),
            trainingModel,
            optimizers,
            validationModel,
            testModel,
            predictModel,
            batchTypes.ToEquatableArray(),
            hyperparameters,
            monitor,
            registrationOverrides,
            searchSpace);
    }

    private HierarchyInfo ParseHierarchy()
    {
        if (!IsPartialEverywhere(type))
        {
            Report(ModuleProblemKind.NotPartial, type.Name, $"'{type.Name}' must be declared partial on every declaration so Volt can generate its training loop.");
        }

        var containing = new List<string>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartialEverywhere(outer))
            {
                Report(ModuleProblemKind.NotPartial, outer.Name, $"The containing type '{outer.Name}' of '{type.Name}' must be declared partial.");
            }

            if (outer.TypeKind == TypeKind.Interface)
            {
                Report(ModuleProblemKind.UnsupportedClassShape, outer.Name, $"'{type.Name}' is nested in the interface '{outer.Name}'; declare it in a class or namespace.");
            }

            containing.Insert(0, "partial " + TypeKeyword(outer) + " " + DeclarationName(outer));
        }

        var metadataNames = new List<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            metadataNames.Insert(0, current.MetadataName);
        }

        // The display string escapes keywords (namespace @event); the hint name uses the plain names.
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        var plainNamespace = type.ContainingNamespace is { IsGlobalNamespace: false } ? ns.Replace("@", string.Empty) : string.Empty;
        var hintName = HintNames.Create((plainNamespace.Length > 0 ? plainNamespace + "." : string.Empty) + string.Join("+", metadataNames));
        return new HierarchyInfo(ns, containing.ToEquatableArray(), "partial class " + DeclarationName(type), hintName);
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

        {
            var steps = string.Join(", ", baseModule.GetMembers().OfType<IMethodSymbol>().Where(IsStepOrConfiguration).Select(m => "'" + m.Name + "'"));
            Report(ModuleProblemKind.DerivesFromVoltModule, type.Name, $"'{type.Name}' has Volt attributes and derives from the Volt module '{baseModule.Name}' ({steps}); one class of a hierarchy owns the generated loop. Override {baseModule.Name}'s virtual step methods without attributes, or keep every step and [ConfigureOptimizers] in one class.");
        }

        return true;
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

    private static bool IsStepOrConfiguration(IMethodSymbol method)
        => StepAttributeOrder.Any(a => HasAttribute(method, a)) || HasAttribute(method, WellKnownNames.ConfigureOptimizersAttribute);

    private IMethodSymbol? ParseStep(string attributeName, string display)
    {
        IMethodSymbol? found = null;
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (!HasAttribute(method, attributeName))
            {
                continue;
            }

            if (found is not null)
            {
                Report(ModuleProblemKind.DuplicateStepAttribute, method.Name, $"{display} is on both '{found.Name}' and '{method.Name}'; a module has at most one {display} method.");
                return null;
            }

            found = method;
        }

        return found;
    }

    private TrainingStepModel? ParseTrainingStep(IMethodSymbol method, OptimizerConfigModel? optimizers, List<BatchTypeModel> batchTypes)
    {
        var manual = method.GetAttributes()
            .First(a => a.AttributeClass?.ToDisplayString() == WellKnownNames.TrainingStepAttribute)
            .NamedArguments.Any(a => a.Key == "AutomaticOptimization" && a.Value.Value is false);
        return manual ? ParseManualTrainingStep(method, optimizers, batchTypes) : ParseAutomaticTrainingStep(method, optimizers, batchTypes);
    }

    private TrainingStepModel? ParseAutomaticTrainingStep(IMethodSymbol method, OptimizerConfigModel? optimizers, List<BatchTypeModel> batchTypes)
    {
        const string accepted = "Accepted: Tensor Name(TBatch batch) or Tensor Name(TBatch batch, int batchIndex), returning the loss.";
        if (!CheckStepShape(method, "[TrainingStep]", accepted))
        {
            return null;
        }

        if (!IsTensor(method.ReturnType))
        {
            Report(ModuleProblemKind.UnsupportedStepSignature, method.Name, $"[TrainingStep] '{method.Name}' must return the loss as a Tensor. {accepted}");
            return null;
        }

        if (optimizers?.Shape == OptimizerConfigShape.OptimizerTuple)
        {
            Report(ModuleProblemKind.UnsupportedConfigureOptimizers, optimizers.MethodName, $"[ConfigureOptimizers] '{optimizers.MethodName}' returns {optimizers.TupleSize} optimizers; several optimizers need manual optimization: [TrainingStep(AutomaticOptimization = false)] with a step that takes the optimizers.");
            return null;
        }

        var batch = ParseBatchType(method.Parameters[0].Type, method.Name, batchTypes);
        return batch is null ? null : new TrainingStepModel(SymbolExtensions.Escape(method.Name), batch.FullyQualifiedName, method.Parameters.Length == 2, Manual: false, ReturnsNullable: method.ReturnType.NullableAnnotation == NullableAnnotation.Annotated);
    }

    private TrainingStepModel? ParseManualTrainingStep(IMethodSymbol method, OptimizerConfigModel? optimizers, List<BatchTypeModel> batchTypes)
    {
        const string accepted = "Accepted with AutomaticOptimization = false: void Name(TBatch batch, TOptimizers optimizers) or void Name(TBatch batch, int batchIndex, TOptimizers optimizers), where TOptimizers is what [ConfigureOptimizers] returns (an optimizer or a tuple of optimizers).";
        var parameters = method.Parameters;
        string? reason = null;
        if (method.IsStatic || method.IsGenericMethod || method.IsAsync || IsTaskLike(method.ReturnType))
        {
            reason = "is static, generic or async";
        }
        else if (parameters.Length is < 2 or > 3 || parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            reason = $"takes {parameters.Length} parameters";
        }
        else if (parameters.Length == 3 && parameters[1].Type.SpecialType != SpecialType.System_Int32)
        {
            reason = "has a middle parameter that is not the int batch index";
        }
        else if (!method.ReturnsVoid && !IsTensor(method.ReturnType))
        {
            reason = "returns something other than void or a Tensor";
        }

        if (reason is not null)
        {
            Report(ModuleProblemKind.UnsupportedStepSignature, method.Name, $"[TrainingStep] '{method.Name}' {reason}. {accepted}");
            return null;
        }

        if (optimizers is null || configureOptimizersReturnType is null)
        {
            return null;
        }

        var optimizersParameter = parameters[parameters.Length - 1].Type;
        if (!compilation.HasImplicitConversion(configureOptimizersReturnType, optimizersParameter))
        {
            Report(ModuleProblemKind.UnsupportedStepSignature, method.Name, $"[TrainingStep] '{method.Name}' takes '{optimizersParameter.ToDisplayString()}', but [ConfigureOptimizers] returns '{configureOptimizersReturnType.ToDisplayString()}'. {accepted}");
            return null;
        }

        var batch = ParseBatchType(parameters[0].Type, method.Name, batchTypes);
        return batch is null ? null : new TrainingStepModel(SymbolExtensions.Escape(method.Name), batch.FullyQualifiedName, parameters.Length == 3, Manual: true, ReturnsNullable: false);
    }

    private EvaluationStepModel? ParseEvaluationStep(IMethodSymbol method, string display, List<BatchTypeModel> batchTypes)
    {
        var accepted = $"Accepted: void Name(TBatch batch) or void Name(TBatch batch, int batchIndex); a Tensor return value is allowed and ignored.";
        if (!CheckStepShape(method, display, accepted))
        {
            return null;
        }

        if (!method.ReturnsVoid && !IsTensor(method.ReturnType))
        {
            Report(ModuleProblemKind.UnsupportedStepSignature, method.Name, $"{display} '{method.Name}' returns '{method.ReturnType.ToDisplayString()}'. {accepted}");
            return null;
        }

        var batch = ParseBatchType(method.Parameters[0].Type, method.Name, batchTypes);
        return batch is null ? null : new EvaluationStepModel(SymbolExtensions.Escape(method.Name), batch.FullyQualifiedName, method.Parameters.Length == 2);
    }

    private PredictStepModel? ParsePredictStep(IMethodSymbol method, List<BatchTypeModel> batchTypes)
    {
        const string accepted = "Accepted: TOutput Name(TBatch batch) or TOutput Name(TBatch batch, int batchIndex), where TOutput is a Tensor or a type whose tensors are properties or fields.";
        if (!CheckStepShape(method, "[PredictStep]", accepted))
        {
            return null;
        }

        if (method.ReturnsVoid || method.ReturnType.TypeKind == TypeKind.TypeParameter)
        {
            Report(ModuleProblemKind.UnsupportedStepSignature, method.Name, $"[PredictStep] '{method.Name}' must return its prediction. {accepted}");
            return null;
        }

        var batch = ParseBatchType(method.Parameters[0].Type, method.Name, batchTypes);
        if (batch is null)
        {
            return null;
        }

        var output = method.ReturnType;
        var outputMembers = IsTensor(output)
            ? []
            : TensorMembers(output).Select(m => SymbolExtensions.Escape(m.Name)).ToList();
        var outputIsNullable = output.NullableAnnotation == NullableAnnotation.Annotated;
        return new PredictStepModel(SymbolExtensions.Escape(method.Name), batch.FullyQualifiedName, method.Parameters.Length == 2, output.ToDisplayString(TypeFormat), outputMembers.ToEquatableArray(), IsTensor(output), outputIsNullable);
    }

    private bool CheckStepShape(IMethodSymbol method, string display, string accepted)
    {
        string? reason = null;
        if (method.IsStatic)
        {
            reason = "is static";
        }
        else if (method.IsGenericMethod)
        {
            reason = "is generic";
        }
        else if (method.IsAsync || IsTaskLike(method.ReturnType))
        {
            reason = "is async; steps run synchronously inside the loop";
        }
        else if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            reason = "returns by reference";
        }
        else if (method.Parameters.Length is < 1 or > 2)
        {
            reason = $"takes {method.Parameters.Length} parameters";
        }
        else if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            reason = "has a ref, out, in or params parameter";
        }
        else if (method.Parameters.Length == 2 && method.Parameters[1].Type.SpecialType != SpecialType.System_Int32)
        {
            reason = "has a second parameter that is not the int batch index";
        }

        if (reason is null)
        {
            return true;
        }

        Report(ModuleProblemKind.UnsupportedStepSignature, method.Name, $"{display} '{method.Name}' {reason}. {accepted}");
        return false;
    }

    private OptimizerConfigModel? ParseConfigureOptimizers()
    {
        IMethodSymbol? found = null;
        foreach (var method in type.GetMembers().OfType<IMethodSymbol>())
        {
            if (!HasAttribute(method, WellKnownNames.ConfigureOptimizersAttribute))
            {
                continue;
            }

            if (found is not null)
            {
                Report(ModuleProblemKind.DuplicateStepAttribute, method.Name, $"[ConfigureOptimizers] is on both '{found.Name}' and '{method.Name}'; a module has one.");
                return null;
            }

            found = method;
        }

        if (found is null)
        {
            Report(ModuleProblemKind.MissingConfigureOptimizers, type.Name, $"'{type.Name}' has a [TrainingStep] but no [ConfigureOptimizers] method; add one that returns the optimizer, e.g. [ConfigureOptimizers] Optimizer Optimizers() => optim.Adam(parameters(), 1e-3);");
            return null;
        }

        const string accepted = "an optimizer (optim.Optimizer or a subclass), a Volt.OptimizerConfig (an optimizer with a scheduler), or a tuple of 2 to 7 optimizers or OptimizerConfigs (manual optimization)";
        var returnType = found.ReturnType;
        var optimizerConfigType = compilation.GetTypeByMetadataName(WellKnownNames.OptimizerConfig);

        // SymbolEqualityComparer.Default ignores nullable annotations: OptimizerConfig? is an OptimizerConfig.
        bool IsOptimizerConfig(ITypeSymbol candidate) => SymbolEqualityComparer.Default.Equals(candidate, optimizerConfigType);
        var shape = (OptimizerConfigShape?)null;
        var tupleSize = 1;
        var tupleElementIsConfig = EquatableArray<bool>.Empty;
        if (DerivesFrom(returnType, optimizerType!))
        {
            shape = OptimizerConfigShape.SingleOptimizer;
        }
        else if (IsOptimizerConfig(returnType))
        {
            shape = OptimizerConfigShape.OptimizerWithScheduler;
        }
        else if (returnType is INamedTypeSymbol { IsTupleType: true } tuple
            && tuple.TupleElements.Length is >= 2 and <= 7
            && tuple.TupleElements.All(e => DerivesFrom(e.Type, optimizerType!) || IsOptimizerConfig(e.Type)))
        {
            shape = OptimizerConfigShape.OptimizerTuple;
            tupleSize = tuple.TupleElements.Length;
            tupleElementIsConfig = tuple.TupleElements.Select(e => IsOptimizerConfig(e.Type)).ToEquatableArray();
        }

        if (found.IsStatic || found.IsGenericMethod || found.Parameters.Length != 0 || found.IsAsync || shape is null)
        {
            Report(ModuleProblemKind.UnsupportedConfigureOptimizers, found.Name, $"[ConfigureOptimizers] '{found.Name}' must be an instance method without parameters that returns {accepted}.");
            return null;
        }

        configureOptimizersReturnType = returnType;
        return new OptimizerConfigModel(SymbolExtensions.Escape(found.Name), shape.Value, tupleSize, tupleElementIsConfig, returnType.NullableAnnotation == NullableAnnotation.Annotated);
    }

    private BatchTypeModel? ParseBatchType(ITypeSymbol batchType, string stepName, List<BatchTypeModel> batchTypes)
    {
        var model = BuildBatchType(batchType.WithNullableAnnotation(NullableAnnotation.NotAnnotated), stepName);
        if (model is null)
        {
            return null;
        }

        // Tuples that differ only in element names are the same type: one transfer overload serves both.
        var existing = batchTypes.FirstOrDefault(b => b.FullyQualifiedName == model.FullyQualifiedName);
        if (existing is not null)
        {
            return existing;
        }

        batchTypes.Add(model);
        return model;
    }

    private BatchTypeModel? BuildBatchType(ITypeSymbol batchType, string stepName)
    {
        if (IsTensor(batchType))
        {
            return new BatchTypeModel(batchType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), BatchKind.Tensor, EquatableArray<BatchMemberModel>.Empty, string.Empty);
        }

        BatchTypeModel? Unsupported(string why)
        {
            var name = batchType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            Report(ModuleProblemKind.UnsupportedBatchType, name, $"The batch type '{name}' of '{stepName}' {why}. Use a Tensor, a record, a record struct, a struct, a class with settable properties or a ValueTuple of up to 7 elements whose tensors are direct members.");
            return null;
        }

        if (batchType is not INamedTypeSymbol named || batchType.TypeKind is TypeKind.Interface or TypeKind.Delegate or TypeKind.Enum || batchType.SpecialType != SpecialType.None)
        {
            return Unsupported("is not supported");
        }

        if (named.IsTupleType)
        {
            var elements = named.TupleElements;
            if (elements.Length > 7)
            {
                return Unsupported($"has {elements.Length} elements");
            }

            var tupleMembers = new List<BatchMemberModel>();
            for (var i = 0; i < elements.Length; i++)
            {
                var element = new BatchMemberModel("Item" + (i + 1), false, elements[i].Type.NullableAnnotation == NullableAnnotation.Annotated);
                var classified = ClassifyMember(element, elements[i].Type, out var why);
                if (why is not null)
                {
                    return Unsupported($"has the element '{elements[i].Name}' of type '{elements[i].Type.ToDisplayString()}', {why}");
                }

                if (classified.IsTensor)
                {
                    tupleMembers.Add(classified);
                }
            }

            var underlying = named.TupleUnderlyingType ?? named;
            return new BatchTypeModel(underlying.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), BatchKind.WithExpression, tupleMembers.ToEquatableArray(), FirstSizeMember(tupleMembers), FirstSizeCollection(tupleMembers));
        }

        var members = new List<BatchMemberModel>();
        var useWith = named.IsRecord || named.IsValueType;
        foreach (var member in InstanceDataMembers(named))
        {
            if (IsComputed(member))
            {
                continue; // computed from other members (Tensor Both => ...): nothing to move
            }

            var memberType = member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
            var classified = ClassifyMember(new BatchMemberModel(SymbolExtensions.Escape(member.Name), false, memberType.NullableAnnotation == NullableAnnotation.Annotated), memberType, out var why);
            if (why is not null)
            {
                return Unsupported($"has the member '{member.Name}' of type '{memberType.ToDisplayString()}', {why}");
            }

            var isTensor = classified.IsTensor;
            var settable = IsSettable(member);
            if (!compilation.IsSymbolAccessibleWithin(member, type))
            {
                if (isTensor)
                {
                    return Unsupported($"has the tensor member '{member.Name}' that the module cannot access");
                }

                continue;
            }

            if (isTensor && !settable)
            {
                return Unsupported($"has the read-only tensor member '{member.Name}', which cannot be replaced by its copy on the device");
            }

            if (!isTensor && (useWith || !settable))
            {
                continue;
            }

            members.Add(classified);
        }

        if (!useWith && !named.InstanceConstructors.Any(c => c.Parameters.Length == 0 && compilation.IsSymbolAccessibleWithin(c, type)))
        {
            return Unsupported("is a class without an accessible parameterless constructor");
        }

        var tensors = members.Where(m => m.IsTensor).ToList();
        return new BatchTypeModel(named.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), useWith ? BatchKind.WithExpression : BatchKind.ObjectInitializer, members.ToEquatableArray(), FirstSizeMember(tensors), FirstSizeCollection(tensors));
    }

    /// <summary>
    /// Says how a member holds tensors: directly, in a collection the runtime moves (Tensor[],
    /// List&lt;Tensor&gt;, Dictionary&lt;TKey, Tensor&gt;), or not at all. Tensors anywhere else
    /// (nested records or tuples, other collections) would be left on the wrong device, so
    /// <paramref name="why"/> explains that and the batch is rejected.
    /// </summary>
    private BatchMemberModel ClassifyMember(BatchMemberModel member, ITypeSymbol memberType, out string? why)
    {
        why = null;
        if (IsTensor(memberType))
        {
            return member with { IsTensor = true };
        }

        var collection = memberType switch
        {
            IArrayTypeSymbol { Rank: 1 } array when IsTensor(array.ElementType) => TensorCollection.Array,
            INamedTypeSymbol { Arity: 1 } list when list.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>" && IsTensor(list.TypeArguments[0]) => TensorCollection.List,
            INamedTypeSymbol { Arity: 2 } map when map.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.Dictionary<TKey, TValue>" && IsTensor(map.TypeArguments[1]) => TensorCollection.Dictionary,
            _ => TensorCollection.None,
        };
        if (collection != TensorCollection.None)
        {
            return member with { IsTensor = true, Collection = collection };
        }

        if (ContainsTensor(memberType, depth: 0))
        {
            why = "whose tensors the generated transfer cannot move to the device; put batch tensors in Tensor members, Tensor[], List<Tensor> or Dictionary<TKey, Tensor> (flatten nested records and tuples into the batch)";
        }

        return member;
    }

    /// <summary>True when a tensor is somewhere inside <paramref name="candidate"/>: an element, a type argument, or a member of a nested type.</summary>
    private bool ContainsTensor(ITypeSymbol candidate, int depth)
    {
        if (IsTensor(candidate))
        {
            return true;
        }

        if (depth > 3 || candidate.SpecialType != SpecialType.None)
        {
            return false;
        }

        return candidate switch
        {
            IArrayTypeSymbol array => ContainsTensor(array.ElementType, depth + 1),
            INamedTypeSymbol { IsTupleType: true } tuple => tuple.TupleElements.Any(e => ContainsTensor(e.Type, depth + 1)),
            INamedTypeSymbol named when named.TypeArguments.Any(t => ContainsTensor(t, depth + 1)) => true,
            INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named when named.ContainingNamespace?.ToDisplayString().StartsWith("System", System.StringComparison.Ordinal) != true
                && !DerivesFrom(named, moduleType!)
                => InstanceDataMembers(named).Any(m => !IsComputed(m) && ContainsTensor(m is IPropertySymbol p ? p.Type : ((IFieldSymbol)m).Type, depth + 1)),
            _ => false,
        };
    }

    /// <summary>A get-only property without a backing field, declared in source (<c>Tensor Both => A + B;</c>).</summary>
    private static bool IsComputed(ISymbol member)
        => member is IPropertySymbol { SetMethod: null } property
           && property.DeclaringSyntaxReferences.Length > 0
           && !property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    private static string? FirstSizeCollection(IEnumerable<BatchMemberModel> members)
        => members.Any(m => m.IsTensor && m.Collection == TensorCollection.None)
            ? null
            : members.FirstOrDefault(m => m.Collection != TensorCollection.None)?.Name;

    private static string? FirstSizeMember(IEnumerable<BatchMemberModel> members)
        => members.FirstOrDefault(m => m.IsTensor && m.Collection == TensorCollection.None && !m.IsNullable)?.Name;

    private IEnumerable<ISymbol> TensorMembers(ITypeSymbol owner)
    {
        if (owner is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            return tuple.TupleElements.Where(e => IsTensor(e.Type)).Select(e => (ISymbol)e.CorrespondingTupleField!).ToList();
        }

        return InstanceDataMembers(owner).Where(m => IsTensor(m is IPropertySymbol p ? p.Type : ((IFieldSymbol)m).Type) && compilation.IsSymbolAccessibleWithin(m, type));
    }

    private static IEnumerable<ISymbol> InstanceDataMembers(ITypeSymbol owner)
    {
        var seen = new HashSet<string>();
        for (var current = owner; current is not null && current.SpecialType != SpecialType.System_Object && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared || !seen.Add(member.Name))
                {
                    continue;
                }

                if (member is IPropertySymbol { IsIndexer: false, Name: not "EqualityContract" } or IFieldSymbol { AssociatedSymbol: null })
                {
                    yield return member;
                }
            }
        }
    }

    private static bool IsSettable(ISymbol member) => member switch
    {
        IPropertySymbol property => property.SetMethod is not null,
        IFieldSymbol field => !field.IsReadOnly && !field.IsConst,
        _ => false,
    };

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
                Report(ModuleProblemKind.MonitorWithoutMetric, "Monitor", $"[Monitor] on '{current.Name}' needs the name of a logged metric, for example [Monitor(\"val_loss\")].");
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
            var clash = type.GetMembers(name).FirstOrDefault(IsUserDeclared);
            if (clash is not null)
            {
                Report(ModuleProblemKind.NameConflict, name, $"'{type.Name}' declares '{name}', which Volt generates; rename the member.");
                continue;
            }

            // A base class's member of the same name would be hidden by the generated one (CS0108).
            var inherited = InheritedMember(name);
            if (inherited is not null && FindBaseVoltModule(type) is null)
            {
                Report(ModuleProblemKind.NameConflict, type.Name, $"'{type.Name}' inherits '{name}' from '{inherited.ContainingType.Name}', and Volt generates a member of that name; rename the base class's member.");
            }
        }

        foreach (var item in hyperparameters.Items)
        {
            if (item.Source == HyperparameterSource.ConstructorParameter && type.GetMembers(item.MemberName).Any(IsUserDeclared))
            {
                Report(ModuleProblemKind.NameConflict, item.MemberName, $"'{type.Name}' declares '{item.MemberName}', the field Volt generates to keep the hyperparameter '{item.Name}'; rename the member.");
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

    /// <summary>
    /// True for members the user wrote. The analyzers see the generator's output in the compilation;
    /// its members are not conflicts.
    /// </summary>
    internal static bool IsUserDeclared(ISymbol member)
        => !member.IsImplicitlyDeclared
           && member.DeclaringSyntaxReferences.Any(r => !IsGeneratedByVolt(r.SyntaxTree));

    /// <summary>True for a file this generator wrote (its path names the generator); the one place that answers "is this generated?".</summary>
    internal static bool IsGeneratedByVolt(SyntaxTree tree)
        => tree.FilePath.IndexOf("Volt.Generators.VoltGenerator", System.StringComparison.Ordinal) >= 0;

    private bool IsTensor(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, tensorType);

    private static bool DerivesFrom(ITypeSymbol type, INamedTypeSymbol baseType)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTaskLike(ITypeSymbol type)
        => type.Name is "Task" or "ValueTask" or "IAsyncEnumerable" && type.ContainingNamespace?.ToDisplayString() is "System.Threading.Tasks" or "System.Collections.Generic";

    internal static bool HasAttribute(ISymbol symbol, string metadataName)
        => symbol.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == metadataName);

    private bool IsPartialEverywhere(INamedTypeSymbol symbol)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration
                || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return symbol.DeclaringSyntaxReferences.Length > 0;
    }

    private static string TypeKeyword(INamedTypeSymbol symbol) => symbol switch
    {
        { IsRecord: true, IsValueType: true } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    private static string DeclarationName(INamedTypeSymbol symbol)
        => symbol.TypeParameters.Length == 0
            ? SymbolExtensions.Escape(symbol.Name)
            : SymbolExtensions.Escape(symbol.Name) + "<" + string.Join(", ", symbol.TypeParameters.Select(t => SymbolExtensions.Escape(t.Name))) + ">";

    private void Report(ModuleProblemKind kind, string subject, string detail) => problems.Add(new ModuleProblem(kind, subject, detail));
}

/// <summary>Small symbol helpers.</summary>
internal static class SymbolExtensions
{
    /// <summary>The name as an identifier in generated code: keywords, contextual ones included, get an '@'.</summary>
    public static string Escape(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>Converts a parameter name to a property name: <c>hiddenSize</c> becomes <c>HiddenSize</c>.</summary>
    public static string ToPascalCase(string name)
    {
        var trimmed = name.TrimStart('_', '@');
        if (trimmed.Length == 0)
        {
            return name;
        }

        return char.ToUpperInvariant(trimmed[0]) + trimmed.Substring(1);
    }
}
