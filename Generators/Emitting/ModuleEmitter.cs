using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Generators.Emitting;

/// <summary>
/// Writes the generated half of one module class. The output is meant to be read: each loop shows
/// the order of operations of a step on one screen, and calls the runtime only for bookkeeping
/// (counters, metrics, limits) and for the precision and strategy seams. One partial file per
/// generated section, in the order of the file: the module surface and the runtime's view of the
/// module (here), hyperparameters, the fit loop, the evaluation loops, the predict loop, batch
/// transfer and the registration overrides.
/// </summary>
internal sealed partial class ModuleEmitter
{
    private const string Torch = "global::TorchSharp.torch";
    private const string Tensor = "global::TorchSharp.torch.Tensor";
    private const string Device = "global::TorchSharp.torch.Device";
    private const string NnModule = "global::TorchSharp.torch.nn.Module";
    private const string ProfiledAction = "global::Volt.Profiling.ProfiledAction";

    private readonly ModuleModel model;
    private readonly string generatedCode;
    private readonly SourceWriter writer = new();

    private ModuleEmitter(ModuleModel model, string version)
    {
        this.model = model;
        generatedCode = GeneratedFileFrame.GeneratedCodeAttribute(version);
    }

    /// <summary>Returns the source text of the generated file for <paramref name="model"/>.</summary>
    public static string Emit(ModuleModel model, string version)
    {
        var emitter = new ModuleEmitter(model, version);
        emitter.WriteFile();
        return emitter.writer.ToString();
    }

    private void WriteFile()
    {
        using (GeneratedFileFrame.Open(writer, model.Hierarchy, model.ClassName, Interfaces().ToList()))
        {
            ModuleSurfaceEmitter.WriteMembers(writer, generatedCode, model.TrainingStep is { Manual: true }, new HashSet<string>(ModuleParser.SurfaceMembers));
            WriteVoltModule();
            WriteHyperparameters();
            WriteFitLoop();
            WriteEvaluationLoop(model.ValidationStep, "RunValidationEpoch", "validation");
            WriteEvaluationLoop(model.TestStep, "RunTestEpoch", "test");
            WritePredictLoop();
            WriteBatchTransfers();
            WriteRegistration();
        }
    }

    private IEnumerable<string> Interfaces()
    {
        yield return "global::Volt.IVoltModule";
        if (model.TrainingStep is { } training)
        {
            yield return $"global::Volt.IFitModule<{training.BatchType}>";
            if (model.ValidationStep is { } validationStep)
            {
                yield return $"global::Volt.IFitModule<{training.BatchType}, {validationStep.BatchType}>";
            }
        }

        if (model.ValidationStep is { } validation)
        {
            yield return $"global::Volt.IValidateModule<{validation.BatchType}>";
        }

        if (model.TestStep is { } test)
        {
            yield return $"global::Volt.ITestModule<{test.BatchType}>";
        }

        if (model.PredictStep is { } predict)
        {
            yield return $"global::Volt.IPredictModule<{predict.BatchType}, {predict.OutputType}>";
        }
    }

    /// <summary>The runtime's view of the module (IVoltModule): the module itself, its state, the monitored metric and its hyperparameters.</summary>
    private void WriteVoltModule()
    {
        var monitor = model.Monitor is { } m
            ? $"new global::Volt.MonitorInfo({SymbolDisplay.FormatLiteral(m.Metric, quote: true)}, global::Volt.MonitorMode.{m.Mode})"
            : "null";
        WriteMember($"{NnModule} global::Volt.IVoltModule.Module => this;");
        WriteMember($"global::Volt.ModuleState global::Volt.IVoltModule.State => {WellKnownNames.StateField};");
        WriteMember($"global::Volt.MonitorInfo? global::Volt.IVoltModule.Monitor => {monitor};");
        WriteMember("void global::Volt.IVoltModule.SaveHyperparameters(string directory) => SaveHyperparameters(directory);");
        WriteMember("global::Volt.IHyperparameters global::Volt.IVoltModule.CurrentHyperparameters => GetHyperparameters();");
    }

    /// <summary>A one-line member with its [GeneratedCode] attribute and the blank line that separates members.</summary>
    private void WriteMember(string declaration)
    {
        writer.WriteLine(generatedCode);
        writer.WriteLine(declaration);
        writer.WriteLine();
    }

    /// <summary>A <c>?? throw</c> for a method declared to return null: the error names the method instead of a later NullReferenceException.</summary>
    private static string NullCheck(string attribute, string methodName, string expected)
        => $" ?? throw new global::System.InvalidOperationException({SymbolDisplay.FormatLiteral($"{attribute} '{methodName.TrimStart('@')}' returned null; return {expected}.", quote: true)})";

    private static string StepArguments(bool takesBatchIndex) => takesBatchIndex ? "batch, batchIndex" : "batch";

    private static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;
}
