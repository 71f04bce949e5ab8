using System.Collections.Generic;
using Volt.Generators.Model;

namespace Volt.Generators.Emitting;

/// <summary>
/// Writes the members that user code calls inside a module (the module surface): the state field,
/// Device, the ranks, Log and, for manual optimization, ManualBackward and ManualStep. Part of every
/// module's generated file, and the whole file for a module with problems.
/// </summary>
internal static class ModuleSurfaceEmitter
{
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    /// <summary>The file for a module with problems: its surface only, so its Log and Device calls still bind.</summary>
    public static string Emit(ModuleSurfaceModel model, string version)
    {
        var writer = new SourceWriter();
        using (GeneratedFileFrame.Open(writer, model.Hierarchy, model.ClassName, []))
        {
            WriteMembers(writer, GeneratedFileFrame.GeneratedCodeAttribute(version), model.Manual, new HashSet<string>(model.Members));
        }

        return writer.ToString();
    }

    /// <summary>Writes the surface members named in <paramref name="members"/>.</summary>
    public static void WriteMembers(SourceWriter writer, string generatedCode, bool manual, ISet<string> members)
    {
        var state = WellKnownNames.StateField;
        writer.WriteLine(generatedCode);
        writer.WriteLine($"private readonly global::Volt.ModuleState {state} = new();");
        writer.WriteLine();
        if (members.Contains("Device"))
        {
            writer.WriteLine("/// <summary>The device the trainer placed this module on; create tensors inside steps with <c>device: Device</c>.</summary>");
            writer.WriteLine(generatedCode);
            writer.WriteLine($"public global::TorchSharp.torch.Device Device => {state}.Device;");
            writer.WriteLine();
        }

        if (members.Contains("GlobalRank"))
        {
            var isGlobalZero = members.Contains("IsGlobalZero") ? "<see cref=\"IsGlobalZero\"/>" : "<c>IsGlobalZero</c>";
            writer.WriteLine($"/// <summary>This process's rank among all training processes (0 on a single device); {isGlobalZero} is true on rank 0.</summary>");
            writer.WriteLine(generatedCode);
            writer.WriteLine($"public int GlobalRank => {state}.GlobalRank;");
            writer.WriteLine();
        }

        if (members.Contains("IsGlobalZero"))
        {
            writer.WriteLine("/// <summary>True on the process with rank 0, the one that should write files and print.</summary>");
            writer.WriteLine(generatedCode);
            writer.WriteLine($"public bool IsGlobalZero => {state}.GlobalRank == 0;");
            writer.WriteLine();
        }

        if (members.Contains("Log"))
        {
            foreach (var valueType in new[] { Tensor, "double" })
            {
                writer.WriteLine("/// <summary>Logs a metric for the running phase (Lightning's <c>self.log</c>); see <see cref=\"global::Volt.ModuleState.Log(string, " + valueType + ", bool?, bool?, bool, global::Volt.MetricReduce, long?, bool)\"/>.</summary>");
                writer.WriteLine(generatedCode);
                writer.WriteLine($"public void Log(string name, {valueType} value, bool? onStep = null, bool? onEpoch = null, bool progressBar = false, global::Volt.MetricReduce reduce = global::Volt.MetricReduce.Mean, long? batchSize = null, bool syncDist = false)");
                writer.WriteLine($"    => {state}.Log(name, value, onStep, onEpoch, progressBar, reduce, batchSize, syncDist);");
                writer.WriteLine();
            }

            writer.WriteLine("/// <summary>Logs a metric object (Lightning's <c>self.log(name, metric)</c>): computed and reset at the epoch end; see <see cref=\"global::Volt.ModuleState.Log(string, global::Volt.Metrics.Metric, bool?, bool?, bool)\"/>.</summary>");
            writer.WriteLine(generatedCode);
            writer.WriteLine("public void Log(string name, global::Volt.Metrics.Metric metric, bool? onStep = null, bool? onEpoch = null, bool progressBar = false)");
            writer.WriteLine($"    => {state}.Log(name, metric, onStep, onEpoch, progressBar);");
            writer.WriteLine();
        }

        if (manual && members.Contains("ManualBackward"))
        {
            writer.WriteLine("/// <summary>Runs backward on <paramref name=\"loss\"/> in a manual-optimization step (Lightning's <c>manual_backward</c>): precision-aware, with the backward hooks.</summary>");
            writer.WriteLine(generatedCode);
            writer.WriteLine($"public void ManualBackward({Tensor} loss) => {state}.ManualBackward(loss);");
            writer.WriteLine();
        }

        if (manual && members.Contains("ManualStep"))
        {
            writer.WriteLine("/// <summary>Steps an optimizer in a manual-optimization step through the precision plugin (the grad scaler under 16-mixed) and the callbacks' hooks.</summary>");
            writer.WriteLine("/// <returns>True when the step was taken (a grad scaler skips steps with non-finite gradients).</returns>");
            writer.WriteLine(generatedCode);
            writer.WriteLine($"public bool ManualStep(global::TorchSharp.torch.optim.Optimizer optimizer) => {state}.ManualStep(optimizer);");
            writer.WriteLine();
        }
    }
}
