namespace Volt.Generators.Model;

/// <summary>The HTTP contract of a [Serve] module: its [PredictStep], the request mirroring the batch type, the response mirroring the output.</summary>
/// <param name="Hierarchy">Namespace, containing types and hint name.</param>
/// <param name="ClassName">The class's name, for the header.</param>
/// <param name="ModuleType">The class as a type in generated code, with its type parameters.</param>
/// <param name="StepName">The [PredictStep] method (escaped).</param>
/// <param name="TakesBatchIndex">Whether the step takes the batch index (the server passes 0).</param>
/// <param name="BatchType">The batch type, fully qualified.</param>
/// <param name="BatchKind">How the batch is built from the request.</param>
/// <param name="Request">The batch members, in constructor or declaration order.</param>
/// <param name="OutputType">The step's return type, fully qualified.</param>
/// <param name="OutputIsTensor">Whether the step returns a Tensor (the response field is then "outputs").</param>
/// <param name="Response">The output's tensors.</param>
internal sealed record ServingContractModel(
    HierarchyInfo Hierarchy,
    string ClassName,
    string ModuleType,
    string StepName,
    bool TakesBatchIndex,
    string BatchType,
    ServedBatchKind BatchKind,
    EquatableArray<ServedMemberModel> Request,
    string OutputType,
    bool OutputIsTensor,
    EquatableArray<ServedMemberModel> Response);

/// <summary>One member of the request or response record.</summary>
/// <param name="Name">The C# member name (escaped) on the batch or output type and on the generated record.</param>
/// <param name="JsonName">The JSON field: the name in camelCase.</param>
/// <param name="Kind">The JSON value kind.</param>
/// <param name="Type">The C# type in the generated record (TensorRows for tensors).</param>
/// <param name="Shape">One example's shape (tensor request members).</param>
/// <param name="DType">The ScalarType member name (tensor request members), e.g. "Float32".</param>
internal sealed record ServedMemberModel(string Name, string JsonName, ServedValueKind Kind, string Type, EquatableArray<long> Shape, string DType);

/// <summary>How the generated endpoint builds the [PredictStep] batch.</summary>
internal enum ServedBatchKind
{
    /// <summary>The batch is a Tensor: the request's one field, "inputs".</summary>
    Tensor,

    /// <summary>A constructor whose parameters are the members.</summary>
    Constructor,

    /// <summary>A parameterless constructor and an object initializer of settable members.</summary>
    Initializer,
}

/// <summary>The JSON kind of a served member.</summary>
internal enum ServedValueKind
{
    /// <summary>A tensor: an array of examples, each nested arrays of its shape.</summary>
    Tensor,

    /// <summary>A JSON number read as double.</summary>
    Double,

    /// <summary>A JSON number read as float.</summary>
    Single,

    /// <summary>A whole JSON number read as int.</summary>
    Int32,

    /// <summary>A whole JSON number read as long.</summary>
    Int64,

    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>A JSON string.</summary>
    String,
}
