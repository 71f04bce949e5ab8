namespace Volt.Generators.Model;

/// <summary>Everything the emitter needs to write one module class's generated half. Strings and enums only.</summary>
internal sealed record ModuleModel(
    HierarchyInfo Hierarchy,
    string ClassName,
    string SelfType,
    TrainingStepModel? TrainingStep,
    OptimizerConfigModel? Optimizers,
    EvaluationStepModel? ValidationStep,
    EvaluationStepModel? TestStep,
    PredictStepModel? PredictStep,
    EquatableArray<BatchTypeModel> BatchTypes,
    HyperparametersModel Hyperparameters,
    MonitorModel? Monitor,
    EquatableArray<string> RegistrationOverrides,
    SearchSpaceModel? SearchSpace = null);

/// <summary>The namespace and containing types of a module class, and the generated file's hint name.</summary>
/// <param name="Namespace">The namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">Declarations of containing types, outermost first, e.g. "partial class Outer".</param>
/// <param name="TypeDeclaration">The module's own partial declaration head, e.g. "partial class Mlp&lt;T&gt;".</param>
/// <param name="HintName">The file name: the metadata name with '+' for nesting, plus ".g.cs"; characters a file name cannot hold become '_', and long names are shortened (see <see cref="Parsing.HintNames"/>).</param>
internal sealed record HierarchyInfo(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string TypeDeclaration,
    string HintName);

/// <summary>The [TrainingStep] method.</summary>
/// <param name="Manual">True for manual optimization: the step gets the optimizers and steps them itself.</param>
/// <param name="MethodName">The method name as written in generated code (keywords escaped).</param>
/// <param name="ReturnsNullable">True for a <c>Tensor?</c> loss: the loop checks it for null.</param>
internal sealed record TrainingStepModel(string MethodName, string BatchType, bool TakesBatchIndex, bool Manual, bool ReturnsNullable);

/// <summary>What the generator found wrong with a class; the class gets no generated code. The analyzers report these.</summary>
/// <param name="Kind">The rule that was broken.</param>
/// <param name="Subject">The member, type or attribute the problem is about.</param>
/// <param name="Arguments">The parts of the kind's message format (see <see cref="ModuleProblemMessages"/>), in order.</param>
internal sealed record ModuleProblem(ModuleProblemKind Kind, string Subject, EquatableArray<string> Arguments)
{
    /// <summary>The message: what is wrong and what is accepted.</summary>
    public string Detail => ModuleProblemMessages.Format(Kind, Arguments);
}

/// <summary>The kinds of <see cref="ModuleProblem"/>.</summary>
internal enum ModuleProblemKind
{
    NotAClass,
    NotPartial,
    NotAModule,
    UnsupportedClassShape,
    DuplicateStepAttribute,
    UnsupportedStepSignature,
    MissingConfigureOptimizers,
    UnsupportedConfigureOptimizers,
    UnsupportedBatchType,
    UnsupportedHyperparameter,
    NameConflict,
    MonitorWithoutMetric,
    DerivesFromVoltModule,
}

/// <summary>A [ValidationStep] or [TestStep] method.</summary>
internal sealed record EvaluationStepModel(string MethodName, string BatchType, bool TakesBatchIndex);

/// <summary>The [PredictStep] method and how to detach the tensors in its output.</summary>
/// <param name="OutputIsNullable">True for a nullable output (<c>Tensor?</c>): detached only when present.</param>
internal sealed record PredictStepModel(string MethodName, string BatchType, bool TakesBatchIndex, string OutputType, EquatableArray<string> OutputTensorMembers, bool OutputIsTensor, bool OutputIsNullable);

/// <summary>The shape of what [ConfigureOptimizers] returns, decided at compile time.</summary>
internal enum OptimizerConfigShape
{
    /// <summary>An optimizer.</summary>
    SingleOptimizer,

    /// <summary>A Volt.OptimizerConfig: an optimizer with a scheduler configuration.</summary>
    OptimizerWithScheduler,

    /// <summary>A ValueTuple of optimizers (manual optimization only).</summary>
    OptimizerTuple,
}

/// <summary>The [ConfigureOptimizers] method.</summary>
/// <param name="TupleSize">The number of optimizers of an <see cref="OptimizerConfigShape.OptimizerTuple"/>; 1 otherwise.</param>
/// <param name="TupleElementIsConfig">For a tuple: which elements are OptimizerConfigs (the others are optimizers).</param>
/// <param name="ReturnsNullable">True when the method's return type is annotated nullable: the loop checks it for null.</param>
internal sealed record OptimizerConfigModel(string MethodName, OptimizerConfigShape Shape, int TupleSize, EquatableArray<bool> TupleElementIsConfig, bool ReturnsNullable);

/// <summary>How a batch is rebuilt on the device.</summary>
internal enum BatchKind
{
    /// <summary>The batch is a Tensor.</summary>
    Tensor,

    /// <summary>A record or struct (including ValueTuple): <c>batch with { Member = ... }</c>.</summary>
    WithExpression,

    /// <summary>A class with settable properties: <c>new T { Member = ... }</c>.</summary>
    ObjectInitializer,
}

/// <summary>A batch type and the members the transfer code touches.</summary>
/// <param name="FullyQualifiedName">The type as written in generated code.</param>
/// <param name="Kind">How the batch is rebuilt on the device.</param>
/// <param name="Members">Tensor members (moved) and, for object initializers, the other settable members (copied).</param>
/// <param name="BatchSizeMember">The first non-nullable tensor member, whose first dimension is the batch size; empty for a Tensor batch; null when there is none.</param>
/// <param name="BatchSizeCollection">Without a tensor member: the first tensor collection member, whose first tensor's first dimension is the batch size; null otherwise.</param>
internal sealed record BatchTypeModel(string FullyQualifiedName, BatchKind Kind, EquatableArray<BatchMemberModel> Members, string? BatchSizeMember, string? BatchSizeCollection = null);

/// <summary>One member of a batch type.</summary>
/// <param name="Name">The member name as written in generated code (keywords escaped).</param>
/// <param name="IsTensor">True when the transfer moves the member: a tensor or a collection of tensors (see <paramref name="Collection"/>).</param>
/// <param name="Collection">How the member holds its tensors.</param>
internal sealed record BatchMemberModel(string Name, bool IsTensor, bool IsNullable, TensorCollection Collection = TensorCollection.None);

/// <summary>How a batch member holds tensors; the runtime's BatchTransfer moves each kind.</summary>
internal enum TensorCollection
{
    /// <summary>A Tensor itself, or a member without tensors.</summary>
    None,

    /// <summary>Tensor[] (Tensor?[]).</summary>
    Array,

    /// <summary>List&lt;Tensor&gt;.</summary>
    List,

    /// <summary>Dictionary&lt;TKey, Tensor&gt;.</summary>
    Dictionary,
}

/// <summary>How a hyperparameter value is written to JSON.</summary>
internal enum JsonValueKind
{
    Number,
    Boolean,
    String,
    Enum,
    Other,

    /// <summary>A one-dimensional array of numbers, bools, strings or enums: a JSON array.</summary>
    Array,
}

/// <summary>Where a hyperparameter comes from.</summary>
internal enum HyperparameterSource
{
    /// <summary>A primary-constructor parameter, captured when the module is constructed.</summary>
    ConstructorParameter,

    /// <summary>A [Hyperparameter] property, read when the hyperparameters are requested.</summary>
    Property,
}

/// <summary>One hyperparameter.</summary>
/// <param name="Name">The JSON key: the parameter or property name as written.</param>
/// <param name="RecordPropertyName">The property name in the generated record.</param>
/// <param name="Type">The fully qualified type.</param>
/// <param name="MemberName">The module member that holds the value: the generated capture field for a constructor parameter, the property itself otherwise.</param>
/// <param name="ElementKind">For an <see cref="JsonValueKind.Array"/>: how each element is written.</param>
/// <param name="ElementType">For an <see cref="JsonValueKind.Array"/>: the fully qualified element type.</param>
/// <param name="DefaultLiteral">The constructor parameter's default value as an invariant-culture C# literal, or null when it has none.</param>
/// <param name="Documentation">The <c>&lt;param&gt;</c> (or, for a property, <c>&lt;summary&gt;</c>) documentation text, or null.</param>
internal sealed record HyperparameterModel(string Name, string RecordPropertyName, string Type, JsonValueKind JsonKind, bool IsNullableValue, HyperparameterSource Source, string MemberName, JsonValueKind ElementKind = JsonValueKind.Other, string ElementType = "", string? DefaultLiteral = null, string? Documentation = null);

/// <summary>One argument of the constructor the FromHyperparameters factory calls.</summary>
/// <param name="ParameterName">The constructor parameter name.</param>
/// <param name="Hyperparameter">The record property that supplies it, or null when the factory takes it as its own parameter.</param>
/// <param name="Type">The parameter's fully qualified type.</param>
/// <param name="HasDefault">True when the argument can be left out.</param>
internal sealed record ConstructorArgumentModel(string ParameterName, string? Hyperparameter, string Type, bool HasDefault);

/// <summary>The hyperparameter record and factory.</summary>
/// <param name="Items">The hyperparameters in order: constructor parameters, then properties.</param>
/// <param name="FactoryArguments">The arguments of the constructor the factory calls.</param>
/// <param name="FactoryInitializers">Record properties the factory sets with an object initializer (settable [Hyperparameter] properties the constructor does not take).</param>
/// <param name="HasFactory">False when no constructor and initializer can restore every hyperparameter; no factory is emitted then.</param>
internal sealed record HyperparametersModel(
    EquatableArray<HyperparameterModel> Items,
    EquatableArray<ConstructorArgumentModel> FactoryArguments,
    EquatableArray<string> FactoryInitializers,
    bool HasFactory);

/// <summary>The [Monitor] attribute's arguments.</summary>
/// <param name="Metric">The metric name.</param>
/// <param name="Mode">The MonitorMode member name: "Min" or "Max".</param>
internal sealed record MonitorModel(string Metric, string Mode);

/// <summary>
/// The generated members user code calls (Log, Device, GlobalRank, IsGlobalZero, ManualBackward,
/// ManualStep), emitted alone for a module with problems so that only the real error shows, not a
/// "the name 'Log' does not exist" at every call.
/// </summary>
/// <param name="Members">The members to emit: those the class and its bases do not declare themselves.</param>
internal sealed record ModuleSurfaceModel(HierarchyInfo Hierarchy, string ClassName, bool Manual, EquatableArray<string> Members);

/// <summary>What the generator writes for one class: the full module, its surface only, or a report that parsing failed.</summary>
/// <param name="TypeName">The class's name, for the failure report.</param>
/// <param name="Failure">The exception message when the parser threw; the other module's output is unaffected.</param>
internal sealed record GeneratedModule(string TypeName, ModuleModel? Module, ModuleSurfaceModel? Surface, string? Failure);
