using Microsoft.CodeAnalysis;
using Volt.Generators.Model;

namespace Volt.Analyzers;

/// <summary>Every Volt diagnostic. IDs are stable; each has a section in docs/diagnostics.md.</summary>
internal static class DiagnosticDescriptors
{
    public const string NotPartialId = "VOLT0001";
    public const string NoTrainingStepId = "VOLT0002";
    public const string MissingConfigureOptimizersId = "VOLT0003";
    public const string DuplicateStepAttributeId = "VOLT0004";
    public const string UnsupportedStepSignatureId = "VOLT0005";
    public const string UnsupportedHyperparameterId = "VOLT0006";
    public const string UnsupportedBatchTypeId = "VOLT0007";
    public const string NameConflictId = "VOLT0008";
    public const string NotAModuleId = "VOLT0009";
    public const string UnsupportedConfigureOptimizersId = "VOLT0010";
    public const string MonitorNotLoggedId = "VOLT0011";
    public const string MonitorLoggedPerStepOnlyId = "VOLT0012";
    public const string GlobalStateId = "VOLT0013";
    public const string UnseededRandomId = "VOLT0014";
    public const string HardCodedDeviceId = "VOLT0015";
    public const string FactoryWithoutDeviceId = "VOLT0016";
    public const string ManualOptimizationCallId = "VOLT0017";
    public const string PlateauWithoutMonitorId = "VOLT0018";
    public const string HostSyncId = "VOLT0019";
    public const string CallbackMonitorNotLoggedId = "VOLT0020";
    public const string RankDependentSyncId = "VOLT0021";
    public const string LoggedWithDifferentOptionsId = "VOLT0022";
    public const string LogInPredictStepId = "VOLT0023";
    public const string LoaderBatchMismatchId = "VOLT0024";
    public const string TrainerCallWithoutStepId = "VOLT0025";
    public const string StepAttributeNotOnMethodId = "VOLT0026";
    public const string DerivesFromVoltModuleId = "VOLT0027";
    public const string NotAClassId = "VOLT0029";
    public const string UnsupportedClassShapeId = "VOLT0030";
    public const string MonitorWithoutMetricId = "VOLT0031";
    public const string SearchSpaceTypeMismatchId = "VOLT0045";
    public const string SearchRangeEmptyId = "VOLT0046";
    public const string SearchLogNotPositiveId = "VOLT0047";
    public const string SearchLogWithStepId = "VOLT0048";
    public const string SearchDefaultOutsideId = "VOLT0049";
    public const string SearchSpaceNotHyperparameterId = "VOLT0050";
    public const string SeveralSearchSpacesId = "VOLT0051";
    public const string SearchChoicesInvalidId = "VOLT0052";
    public const string OnnxUnsupportedExpressionId = "VOLT0055";
    public const string OnnxUnsupportedStatementId = "VOLT0056";
    public const string OnnxUnsupportedClassId = "VOLT0057";
    public const string ServeUnsupportedClassId = "VOLT0061";
    public const string ServeUnsupportedMemberId = "VOLT0062";
    public const string OnnxRuntimeResolvedSubmoduleId = "VOLT0063";
    public const string RankUnsafeSideEffectId = "VOLT0037";

    private const string Structure = "Volt.Structure";
    private const string Metrics = "Volt.Metrics";
    private const string Reproducibility = "Volt.Reproducibility";
    private const string Device = "Volt.Device";
    private const string Optimization = "Volt.Optimization";
    private const string Performance = "Volt.Performance";
    private const string Distributed = "Volt.Distributed";
    private const string Search = "Volt.Search";
    private const string Export = "Volt.Export";
    private const string Serving = "Volt.Serving";

    public static readonly DiagnosticDescriptor NotPartial = CreateStructure(NotPartialId, "Module class must be partial", ModuleProblemMessages.NotPartial, Structure, DiagnosticSeverity.Error, description: "The generator writes the other half of a module class, so the class and every type it is nested in must be declared partial.");

    public static readonly DiagnosticDescriptor NoTrainingStep = CreateStructure(NoTrainingStepId, "Module has steps but no [TrainingStep]", "'{0}' has [{1}] but no [TrainingStep]; it can be validated, tested or used for prediction, but Trainer.Fit needs a [TrainingStep] method", Structure, DiagnosticSeverity.Info, description: "A module without a [TrainingStep] gets evaluation and predict loops only; Trainer.Fit rejects it (VOLT0025 at the call).");

    public static readonly DiagnosticDescriptor MissingConfigureOptimizers = CreateStructure(MissingConfigureOptimizersId, "Training step without [ConfigureOptimizers]", ModuleProblemMessages.MissingConfigureOptimizers, Structure, DiagnosticSeverity.Error, description: "A [TrainingStep] needs a [ConfigureOptimizers] method that returns the optimizer (or an OptimizerConfig, or a tuple of optimizers under manual optimization).");

    public static readonly DiagnosticDescriptor DuplicateStepAttribute = CreateStructure(DuplicateStepAttributeId, "Step attribute used twice", ModuleProblemMessages.DuplicateStepAttribute, Structure, DiagnosticSeverity.Error, description: "A module has at most one method per step attribute and one [ConfigureOptimizers].");

    public static readonly DiagnosticDescriptor UnsupportedStepSignature = CreateStructure(UnsupportedStepSignatureId, "Step signature not accepted", ModuleProblemMessages.UnsupportedStepSignature, Structure, DiagnosticSeverity.Error, description: "Steps are synchronous instance methods that take the batch (and optionally the int batch index); training steps return the loss, manual ones take the optimizers.");

    public static readonly DiagnosticDescriptor UnsupportedHyperparameter = CreateStructure(UnsupportedHyperparameterId, "Hyperparameter cannot be saved", ModuleProblemMessages.UnsupportedHyperparameter, Structure, DiagnosticSeverity.Error, description: "Hyperparameters are written to hparams.json and checkpoints: numbers, bool, string, enums, their nullable forms and one-dimensional arrays of them.");

    public static readonly DiagnosticDescriptor UnsupportedBatchType = CreateStructure(UnsupportedBatchTypeId, "Batch type not supported", ModuleProblemMessages.UnsupportedBatchType, Structure, DiagnosticSeverity.Error, description: "The generated transfer must reach every tensor of a batch to move it to the device; the message names the member it cannot reach.");

    public static readonly DiagnosticDescriptor NameConflict = CreateStructure(NameConflictId, "Member name taken by generated code", ModuleProblemMessages.NameConflict, Structure, DiagnosticSeverity.Error, description: "The generator declares Log, Device, the ranks, the hyperparameter members, the loops and the _volt/_hp_ fields; a user member of the same name, declared or inherited, would clash.");

    public static readonly DiagnosticDescriptor NotAModule = CreateStructure(NotAModuleId, "Step attributes outside a TorchSharp module", ModuleProblemMessages.NotAModule, Structure, DiagnosticSeverity.Error, description: "Step attributes belong on methods of a partial class that derives from TorchSharp's nn.Module.");

    public static readonly DiagnosticDescriptor UnsupportedConfigureOptimizers = CreateStructure(UnsupportedConfigureOptimizersId, "[ConfigureOptimizers] shape not accepted", ModuleProblemMessages.UnsupportedConfigureOptimizers, Structure, DiagnosticSeverity.Error, description: "[ConfigureOptimizers] is an instance method without parameters that returns an optimizer, an OptimizerConfig, or (manual optimization) a tuple of them.");

    public static readonly DiagnosticDescriptor MonitorNotLogged = Create(MonitorNotLoggedId, "Monitored metric is never logged", "[Monitor] watches '{0}', but no Log call with a constant name logs it{1}", Metrics, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor MonitorLoggedPerStepOnly = Create(MonitorLoggedPerStepOnlyId, "Monitored metric is logged per step only", "[Monitor] watches '{0}', which is logged only in the training step with the default per-step setting; pass onEpoch: true so callbacks compare epoch values", Metrics, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor GlobalState = Create(GlobalStateId, "Step uses mutable static state", "'{0}' {1} the static '{2}'; static state is shared by every module and process-wide, which breaks data-parallel training and reproducibility — keep it in an instance field", Reproducibility, DiagnosticSeverity.Warning, WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor UnseededRandom = Create(UnseededRandomId, "Unseeded System.Random in a module", "{0} is not seeded, so runs cannot repeat; use torch's seeded generators (Seeding.SeedEverything, TrainerOptions.Seed) or new Random(seed)", Reproducibility, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor HardCodedDevice = Create(HardCodedDeviceId, "Hard-coded device in a module", "{0} hard-codes a device; use the module's Device property (the trainer decides where the module runs)", Device, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor FactoryWithoutDevice = Create(FactoryWithoutDeviceId, "Tensor created without a device inside a step", "'{0}' creates the tensor on the CPU while the module may run on a GPU; pass device: Device", Device, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor ManualOptimizationCall = Create(ManualOptimizationCallId, "The loop already does this", "'{0}' inside a [TrainingStep] with automatic optimization: the generated loop already calls backward, zero_grad and the optimizer step, so this does it twice; return the loss, or use [TrainingStep(AutomaticOptimization = false)]", Optimization, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor PlateauWithoutMonitor = Create(PlateauWithoutMonitorId, "ReduceLROnPlateau without a monitor", "ReduceLROnPlateau needs SchedulerConfig.Monitor, the metric whose plateau lowers the learning rate (for example Monitor = \"val_loss\")", Optimization, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor RankUnsafeSideEffect = Create(RankUnsafeSideEffectId, "File write or console output in a step without a rank guard", "'{0}' in a step runs on every process under data-parallel training (each rank writes or prints it); wrap it in if (IsGlobalZero) to do it once", Distributed, DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor HostSync = Create(HostSyncId, "Host synchronization in a training step", "'{0}' copies a value to the host and waits for the device on every step; Log accepts tensors, so log the tensor instead", Performance, DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor CallbackMonitorNotLogged = Create(CallbackMonitorNotLoggedId, "Callback monitors a metric no module logs", "{0} monitors '{1}', but no Volt module in this project logs it with a constant name{2}", Metrics, DiagnosticSeverity.Warning, WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor RankDependentSync = Create(RankDependentSyncId, "Synchronized Log inside a rank-dependent branch", "Log(\"{0}\", ..., syncDist: true) runs only on some ranks ({1}); under data-parallel training the other ranks never join the reduction and the run deadlocks — log on every rank, or drop syncDist", Distributed, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LoggedWithDifferentOptions = Create(LoggedWithDifferentOptionsId, "Metric logged with different options in one phase", "Log(\"{0}\") runs in {1} with ({2}) here but with ({3}) at line {4}; a metric keeps the options of its first Log call in a phase, so this call throws at run time — use the same options, or another name", Metrics, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LogInPredictStep = Create(LogInPredictStepId, "Log in a predict step", "Log(\"{0}\") runs in the [PredictStep] '{1}'; predict steps cannot log metrics (as in Lightning), so this call throws at run time — return the values from the step instead", Metrics, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor LoaderBatchMismatch = Create(LoaderBatchMismatchId, "Loader batch type differs from the step's", "{0}'s [{1}] '{2}' takes '{3}', but this loader yields '{4}'; pass a loader of '{3}', or change the step's batch type", Structure, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor TrainerCallWithoutStep = Create(TrainerCallWithoutStepId, "Trainer call needs a step the module lacks", "'{0}' has no [{1}], so Trainer.{2} cannot run it; add a [{1}] method to '{0}'", Structure, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor StepAttributeNotOnMethod = Create(StepAttributeNotOnMethodId, "Volt attribute on a local function or lambda", "[{0}] on {1} is ignored: Volt reads step attributes only on methods of the module class; make it a method of the class", Structure, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor DerivesFromVoltModule = CreateStructure(DerivesFromVoltModuleId, "Module derives from another Volt module", ModuleProblemMessages.DerivesFromVoltModule, Structure, DiagnosticSeverity.Error, description: "One class of a hierarchy owns the generated loop; derived classes specialize a Volt module by overriding its virtual steps without attributes.");

    public static readonly DiagnosticDescriptor NotAClass = CreateStructure(NotAClassId, "Step attributes on a type that is not a class", ModuleProblemMessages.NotAClass, Structure, DiagnosticSeverity.Error, description: "Records, structs and interfaces cannot hold the generated loop; step attributes belong on methods of a partial class.");

    public static readonly DiagnosticDescriptor UnsupportedClassShape = CreateStructure(UnsupportedClassShapeId, "Module class shape not supported", ModuleProblemMessages.UnsupportedClassShape, Structure, DiagnosticSeverity.Error, description: "The generated loop is an instance member of a concrete class: not abstract, not static, not nested in an interface.");

    public static readonly DiagnosticDescriptor MonitorWithoutMetric = CreateStructure(MonitorWithoutMetricId, "[Monitor] without a metric name", ModuleProblemMessages.MonitorWithoutMetric, Structure, DiagnosticSeverity.Error, description: "[Monitor] names the logged metric that checkpointing and early stopping compare.");

    public static readonly DiagnosticDescriptor SearchSpaceTypeMismatch = Create(SearchSpaceTypeMismatchId, "Search space does not fit the hyperparameter's type", "{0}", Search, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SearchRangeEmpty = Create(SearchRangeEmptyId, "Search range is empty", "{0}", Search, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SearchLogNotPositive = Create(SearchLogNotPositiveId, "Log-scale search range starts at or below 0", "{0}", Search, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SearchLogWithStep = Create(SearchLogWithStepId, "Log-scale search range with a step", "{0}", Search, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SearchDefaultOutside = Create(SearchDefaultOutsideId, "Hyperparameter default outside its search space", "{0}", Search, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SearchSpaceNotHyperparameter = Create(SearchSpaceNotHyperparameterId, "Search space on a member that is not a hyperparameter", "{0}", Search, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SeveralSearchSpaces = Create(SeveralSearchSpacesId, "Several search spaces on one hyperparameter", "{0}", Search, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor SearchChoicesInvalid = Create(SearchChoicesInvalidId, "Choices are empty or repeated", "{0}", Search, DiagnosticSeverity.Error);
    /// <summary>The message argument is the translator's explanation, with the list of supported parts.</summary>
    public static readonly DiagnosticDescriptor OnnxUnsupportedExpression = Create(OnnxUnsupportedExpressionId, "Forward expression cannot be exported to ONNX", "{0}", Export, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor OnnxUnsupportedStatement = Create(OnnxUnsupportedStatementId, "Forward statement cannot be exported to ONNX", "{0}", Export, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor OnnxUnsupportedClass = Create(OnnxUnsupportedClassId, "[OnnxExport] class cannot get an export method", "{0}", Export, DiagnosticSeverity.Warning);

    /// <summary>VOLT0061: a [Serve] class cannot get its HTTP contract (no [PredictStep], not partial, a generated name taken, a batch type that cannot be created).</summary>
    public static readonly DiagnosticDescriptor ServeUnsupportedClass = Create(ServeUnsupportedClassId, "[Serve] class cannot get a serving contract", "{0}", Serving, DiagnosticSeverity.Error);

    /// <summary>VOLT0062: a member of the [PredictStep] batch or output has no JSON form, or a tensor's [ExampleShape] is missing or wrong.</summary>
    public static readonly DiagnosticDescriptor ServeUnsupportedMember = Create(ServeUnsupportedMemberId, "[PredictStep] member cannot be served as JSON", "{0}", Serving, DiagnosticSeverity.Error);

    /// <summary>VOLT0063: an [OnnxExport] forward runs a submodule field declared as nn.Module&lt;Tensor, Tensor&gt;, so ExportOnnx resolves it at run time.</summary>
    public static readonly DiagnosticDescriptor OnnxRuntimeResolvedSubmodule = Create(OnnxRuntimeResolvedSubmoduleId, "ONNX export resolves a submodule at run time", "{0}", Export, DiagnosticSeverity.Info);

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity, params string[] tags)
        => new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: "docs/diagnostics.md#" + id.ToLowerInvariant(), customTags: tags);

    /// <summary>A structure rule: its message format is the problem kind's (<see cref="ModuleProblemMessages"/>, whose parts name the type or member and what is accepted); the description says what the rule is for.</summary>
    private static DiagnosticDescriptor CreateStructure(string id, string title, string message, string category, DiagnosticSeverity severity, string description)
        => new(id, title, message, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: "docs/diagnostics.md#" + id.ToLowerInvariant());
}
