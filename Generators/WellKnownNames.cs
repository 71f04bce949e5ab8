namespace Volt.Generators;

/// <summary>Metadata names of the types the generator recognises. The attributes live in the Volt runtime.</summary>
internal static class WellKnownNames
{
    public const string TrainingStepAttribute = "Volt.TrainingStepAttribute";
    public const string ValidationStepAttribute = "Volt.ValidationStepAttribute";
    public const string TestStepAttribute = "Volt.TestStepAttribute";
    public const string PredictStepAttribute = "Volt.PredictStepAttribute";
    public const string ConfigureOptimizersAttribute = "Volt.ConfigureOptimizersAttribute";
    public const string HyperparameterAttribute = "Volt.HyperparameterAttribute";
    public const string MonitorAttribute = "Volt.MonitorAttribute";

    public const string Tensor = "TorchSharp.torch+Tensor";
    public const string Module = "TorchSharp.torch+nn+Module";
    public const string Optimizer = "TorchSharp.torch+optim+Optimizer";

    /// <summary>Members the generator declares; a user member with one of these names stops generation.</summary>
    public static readonly string[] GeneratedMemberNames =
    [
        "Log", "Device", "Hyperparameters", "GetHyperparameters", "SaveHyperparameters", "FromHyperparameters",
        "LoggedMetricNames", "MoveBatchToDevice", "RunValidationEpoch", "RunTestEpoch",
    ];

    /// <summary>TorchSharp members the generated code overrides to register submodules first.</summary>
    public static readonly string[] RegistrationMembers =
    [
        "named_parameters", "named_buffers", "named_children", "named_modules", "state_dict", "apply", "_to",
    ];
}
