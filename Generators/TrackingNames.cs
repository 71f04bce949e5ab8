namespace Volt.Generators;

/// <summary>Names of the generator's pipeline steps; tests read them to prove caching.</summary>
public static class TrackingNames
{
    /// <summary>Models built from methods marked [TrainingStep].</summary>
    public const string TrainingStepModules = nameof(TrainingStepModules);

    /// <summary>Models built from methods marked [ValidationStep].</summary>
    public const string ValidationStepModules = nameof(ValidationStepModules);

    /// <summary>Models built from methods marked [TestStep].</summary>
    public const string TestStepModules = nameof(TestStepModules);

    /// <summary>Models built from methods marked [PredictStep].</summary>
    public const string PredictStepModules = nameof(PredictStepModules);

    /// <summary>Models of [OnnxExport] classes whose forward method can be exported.</summary>
    public const string OnnxExportModules = nameof(OnnxExportModules);

    /// <summary>Models of [Serve] classes whose [PredictStep] can be served as JSON.</summary>
    public const string ServingContractModules = nameof(ServingContractModules);
}
