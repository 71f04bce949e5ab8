namespace Volt.Generators.Model;

/// <summary>Everything the emitter needs to write one module class's generated half. Strings and enums only.</summary>
internal sealed record ModuleModel(
    HierarchyInfo Hierarchy,
    string FullyQualifiedName,
    string ClassName,
    TrainingStepModel? TrainingStep,
    OptimizerConfigModel? Optimizers,
    EvaluationStepModel? ValidationStep,
    EvaluationStepModel? TestStep,
    PredictStepModel? PredictStep,
    EquatableArray<BatchTypeModel> BatchTypes,
    HyperparametersModel Hyperparameters,
    MonitorModel? Monitor,
    EquatableArray<string> LoggedMetricNames,
    EquatableArray<string> RegistrationOverrides);

/// <summary>The namespace and containing types of a module class, and the generated file's hint name.</summary>
/// <param name="Namespace">The namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">Declarations of containing types, outermost first, e.g. "partial class Outer".</param>
/// <param name="TypeDeclaration">The module's own partial declaration head, e.g. "partial class Mlp&lt;T&gt;".</param>
/// <param name="HintName">The file name: the metadata name with '+' for nesting, plus ".g.cs".</param>
internal sealed record HierarchyInfo(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string TypeDeclaration,
    string HintName);

/// <summary>The [TrainingStep] method.</summary>
internal sealed record TrainingStepModel(string MethodName, string BatchType, bool TakesBatchIndex);

/// <summary>A [ValidationStep] or [TestStep] method.</summary>
internal sealed record EvaluationStepModel(string MethodName, string BatchType, bool TakesBatchIndex);

/// <summary>The [PredictStep] method and how to detach the tensors in its output.</summary>
internal sealed record PredictStepModel(string MethodName, string BatchType, bool TakesBatchIndex, string OutputType, EquatableArray<string> OutputTensorMembers, bool OutputIsTensor);

/// <summary>The shape of what [ConfigureOptimizers] returns. Only a single optimizer for now.</summary>
internal enum OptimizerConfigShape
{
    SingleOptimizer,
}

/// <summary>The [ConfigureOptimizers] method.</summary>
internal sealed record OptimizerConfigModel(string MethodName, OptimizerConfigShape Shape, string ReturnType);

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
internal sealed record BatchTypeModel(string FullyQualifiedName, BatchKind Kind, EquatableArray<BatchMemberModel> Members);

/// <summary>One member of a batch type.</summary>
internal sealed record BatchMemberModel(string Name, bool IsTensor, bool IsNullable);

/// <summary>How a hyperparameter value is written to JSON.</summary>
internal enum JsonValueKind
{
    Number,
    Boolean,
    String,
    Enum,
    Other,
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
internal sealed record HyperparameterModel(string Name, string RecordPropertyName, string Type, JsonValueKind JsonKind, bool IsNullableValue, HyperparameterSource Source);

/// <summary>One argument of the constructor the FromHyperparameters factory calls.</summary>
/// <param name="ParameterName">The constructor parameter name.</param>
/// <param name="Hyperparameter">The record property that supplies it, or null when the factory takes it as its own parameter.</param>
/// <param name="Type">The parameter's fully qualified type.</param>
/// <param name="HasDefault">True when the argument can be left out.</param>
internal sealed record ConstructorArgumentModel(string ParameterName, string? Hyperparameter, string Type, bool HasDefault);

/// <summary>The hyperparameter record and factory.</summary>
/// <param name="Items">The hyperparameters in order: constructor parameters, then properties.</param>
/// <param name="FactoryArguments">The constructor the factory calls, or null when no constructor fits.</param>
internal sealed record HyperparametersModel(EquatableArray<HyperparameterModel> Items, EquatableArray<ConstructorArgumentModel>? FactoryArguments);

/// <summary>The [Monitor] attribute's arguments.</summary>
internal sealed record MonitorModel(string Metric, string Mode);
