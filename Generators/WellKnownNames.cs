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
    public const string FloatRangeAttribute = "Volt.FloatRangeAttribute";
    public const string IntRangeAttribute = "Volt.IntRangeAttribute";
    public const string ChoicesAttribute = "Volt.ChoicesAttribute";

    public const string Tensor = "TorchSharp.torch+Tensor";
    public const string Module = "TorchSharp.torch+nn+Module";
    public const string Optimizer = "TorchSharp.torch+optim+Optimizer";
    public const string OptimizerConfig = "Volt.OptimizerConfig";

    /// <summary>The generated field that holds the module's <c>Volt.ModuleState</c>.</summary>
    public const string StateField = "_volt";

    /// <summary>The prefix of the generated fields that keep primary-constructor hyperparameters.</summary>
    public const string CaptureFieldPrefix = "_hp_";

    /// <summary>Members the generator declares; a user member with one of these names stops generation.</summary>
    public static readonly string[] GeneratedMemberNames =
    [
        "Log", "Device", "GlobalRank", "IsGlobalZero", "Hyperparameters", "GetHyperparameters", "SaveHyperparameters", "FromHyperparameters",
        "MoveBatchToDevice", "RunFit", "LoadFromCheckpoint", "ManualBackward", "ManualStep", "RunValidationEpoch", "RunTestEpoch", StateField,
    ];

    /// <summary>TorchSharp members the generated code overrides to register submodules first.</summary>
    public static readonly string[] RegistrationMembers =
    [
        "named_parameters", "named_buffers", "named_children", "named_modules", "state_dict", "apply", "_to",
    ];
}
