using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Generators.Emitting;

/// <summary>
/// Writes the generated half of one module class. The output is meant to be read: each loop shows
/// the order of operations of a step on one screen, and calls the runtime only for bookkeeping
/// (counters, metrics, limits) and for the precision and strategy seams.
/// </summary>
internal sealed class ModuleEmitter
{
    private const string Torch = "global::TorchSharp.torch";
    private const string Tensor = "global::TorchSharp.torch.Tensor";
    private const string Device = "global::TorchSharp.torch.Device";
    private const string NnModule = "global::TorchSharp.torch.nn.Module";

    private readonly ModuleModel model;
    private readonly string generatedCode;
    private readonly SourceWriter writer = new();

    private ModuleEmitter(ModuleModel model, string version)
    {
        this.model = model;
        generatedCode = ModuleSurfaceEmitter.GeneratedCodeAttribute(version);
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
        GeneratedFileFrame.Open(writer, model.Hierarchy, model.ClassName, Interfaces().ToList());
        WriteStateAndLogging();
        WriteHyperparameters();
        WriteFitLoop();
        WriteEvaluationLoop(model.ValidationStep, "RunValidationEpoch", "validation");
        WriteEvaluationLoop(model.TestStep, "RunTestEpoch", "test");
        WritePredictLoop();
        WriteBatchTransfers();
        WriteRegistration();
        GeneratedFileFrame.Close(writer, model.Hierarchy);
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

    private void WriteStateAndLogging()
    {
        var state = WellKnownNames.StateField;
        ModuleSurfaceEmitter.WriteMembers(writer, generatedCode, model.TrainingStep is { Manual: true }, new HashSet<string>(ModuleParser.SurfaceMembers));
        writer.WriteLine($"{NnModule} global::Volt.IVoltModule.Module => this;");
        writer.WriteLine();
        writer.WriteLine($"global::Volt.ModuleState global::Volt.IVoltModule.State => {state};");
        writer.WriteLine();
        var monitor = model.Monitor is { } m
            ? $"new global::Volt.MonitorInfo({SymbolDisplay.FormatLiteral(m.Metric, quote: true)}, global::Volt.MonitorMode.{m.Mode})"
            : "null";
        writer.WriteLine($"global::Volt.MonitorInfo? global::Volt.IVoltModule.Monitor => {monitor};");
        writer.WriteLine();
        writer.WriteLine("void global::Volt.IVoltModule.SaveHyperparameters(string directory) => SaveHyperparameters(directory);");
        writer.WriteLine();
        writer.WriteLine("global::Volt.IHyperparameters global::Volt.IVoltModule.CurrentHyperparameters => GetHyperparameters();");
        writer.WriteLine();
    }

    private void WriteHyperparameters()
    {
        var hyperparameters = model.Hyperparameters;
        foreach (var item in hyperparameters.Items.Where(h => h.Source == HyperparameterSource.ConstructorParameter))
        {
            writer.WriteLine($"private readonly {item.Type} {item.MemberName} = {Identifier(item.Name)};");
        }

        if (hyperparameters.Items.Any(h => h.Source == HyperparameterSource.ConstructorParameter))
        {
            writer.WriteLine();
        }

        writer.WriteLine("/// <summary>The hyperparameters of this module, as saved to <c>hparams.json</c>.</summary>");
        writer.WriteLine(generatedCode);
        var parameters = string.Join(", ", hyperparameters.Items.Select(h => $"{h.Type} {h.RecordPropertyName}"));
        writer.OpenBlock($"public sealed partial record Hyperparameters({parameters}) : global::Volt.IHyperparameters");
        writer.WriteLine("/// <inheritdoc/>");
        writer.OpenBlock("public void WriteJsonProperties(global::System.Text.Json.Utf8JsonWriter writer)");
        foreach (var item in hyperparameters.Items)
        {
            WriteJsonProperty(item);
        }

        writer.CloseBlock();
        writer.WriteLine();
        WriteJsonReader(hyperparameters);
        writer.CloseBlock();
        writer.WriteLine();

        writer.WriteLine("/// <summary>Returns the current hyperparameters: constructor arguments as given, [Hyperparameter] properties as they are now.</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine($"public Hyperparameters GetHyperparameters() => new({string.Join(", ", hyperparameters.Items.Select(h => h.MemberName))});");
        writer.WriteLine();
        writer.WriteLine("/// <summary>Writes <c>hparams.json</c> into <paramref name=\"directory\"/>; the trainer calls it when fitting starts.</summary>");
        writer.WriteLine("/// <returns>The path of the written file.</returns>");
        writer.WriteLine(generatedCode);
        writer.WriteLine("public string SaveHyperparameters(string directory) => global::Volt.HyperparameterFile.Save(directory, GetHyperparameters());");
        writer.WriteLine();

        if (hyperparameters.HasFactory)
        {
            WriteFactory(hyperparameters);
        }
    }

    private void WriteJsonProperty(HyperparameterModel item)
    {
        var key = SymbolDisplay.FormatLiteral(item.Name, quote: true);
        var value = item.RecordPropertyName;
        if (item.JsonKind == JsonValueKind.Array)
        {
            WriteJsonArray(item, key, value);
            return;
        }

        if (item.IsNullableValue)
        {
            writer.WriteLine($"if ({value} is {{ }} {Camel(value)}Value)");
            writer.OpenBrace();
            writer.WriteLine(JsonWrite(item.JsonKind, key, Camel(value) + "Value"));
            writer.CloseBlock();
            writer.WriteLine("else");
            writer.OpenBrace();
            writer.WriteLine($"writer.WriteNull({key});");
            writer.CloseBlock();
            return;
        }

        writer.WriteLine(JsonWrite(item.JsonKind, key, value));
    }

    /// <summary>An array hyperparameter as a JSON array (null when the array is null).</summary>
    private void WriteJsonArray(HyperparameterModel item, string key, string value)
    {
        var write = item.ElementKind switch
        {
            JsonValueKind.Number => "writer.WriteNumberValue(element);",
            JsonValueKind.Boolean => "writer.WriteBooleanValue(element);",
            JsonValueKind.Enum => "writer.WriteStringValue(element.ToString());",
            _ => "writer.WriteStringValue(element);",
        };
        writer.WriteLine($"if ({value} is {{ }} {Camel(value)}Value)");
        writer.OpenBrace();
        writer.WriteLine($"writer.WriteStartArray({key});");
        writer.WriteLine($"foreach (var element in {Camel(value)}Value)");
        writer.OpenBrace();
        writer.WriteLine(write);
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("writer.WriteEndArray();");
        writer.CloseBlock();
        writer.WriteLine("else");
        writer.OpenBrace();
        writer.WriteLine($"writer.WriteNull({key});");
        writer.CloseBlock();
    }

    private void WriteJsonReader(HyperparametersModel hyperparameters)
    {
        writer.WriteLine("/// <summary>Reads hyperparameters written by <see cref=\"WriteJsonProperties\"/> (from hparams.json or a checkpoint).</summary>");
        if (hyperparameters.Items.Count == 0)
        {
            writer.WriteLine("public static Hyperparameters FromJson(global::System.Text.Json.JsonElement json) => new();");
            return;
        }

        writer.WriteLine("public static Hyperparameters FromJson(global::System.Text.Json.JsonElement json) => new(");
        for (var i = 0; i < hyperparameters.Items.Count; i++)
        {
            var item = hyperparameters.Items[i];
            var key = SymbolDisplay.FormatLiteral(item.Name, quote: true);
            var property = $"global::Volt.HyperparameterFile.Property(json, {key})";
            var read = JsonRead(item, property);
            var nullable = item.IsNullableValue || (item.JsonKind == JsonValueKind.Array && item.Type.EndsWith("?"));
            var value = nullable ? $"global::Volt.HyperparameterFile.IsNull(json, {key}) ? null : {read}" : read;
            writer.WriteLine($"    {item.RecordPropertyName}: {value}{(i < hyperparameters.Items.Count - 1 ? "," : ");")}");
        }
    }

    private static string JsonRead(HyperparameterModel item, string property)
    {
        var type = item.Type.TrimEnd('?');
        if (item.JsonKind == JsonValueKind.Array)
        {
            var element = JsonRead(item with { JsonKind = item.ElementKind, Type = item.ElementType }, "element");
            return $"global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Select({property}.EnumerateArray(), element => {element}))";
        }

        return item.JsonKind switch
        {
            JsonValueKind.Boolean => property + ".GetBoolean()",
            JsonValueKind.String => property + ".GetString()" + (item.Type.EndsWith("?") ? string.Empty : "!"),
            JsonValueKind.Enum => $"global::System.Enum.Parse<{type}>({property}.GetString()!)",
            _ => property + "." + NumberGetter(type) + "()",
        };
    }

    private static string NumberGetter(string type) => type switch
    {
        "byte" => "GetByte",
        "sbyte" => "GetSByte",
        "short" => "GetInt16",
        "ushort" => "GetUInt16",
        "int" => "GetInt32",
        "uint" => "GetUInt32",
        "long" => "GetInt64",
        "ulong" => "GetUInt64",
        "float" => "GetSingle",
        "decimal" => "GetDecimal",
        _ => "GetDouble",
    };

    private static string JsonWrite(JsonValueKind kind, string key, string value) => kind switch
    {
        JsonValueKind.Number => $"writer.WriteNumber({key}, {value});",
        JsonValueKind.Boolean => $"writer.WriteBoolean({key}, {value});",
        JsonValueKind.Enum => $"writer.WriteString({key}, {value}.ToString());",
        _ => $"writer.WriteString({key}, {value});",
    };

    private void WriteFactory(HyperparametersModel hyperparameters)
    {
        var extras = hyperparameters.FactoryArguments.Where(a => a.Hyperparameter is null && !a.HasDefault).ToList();
        var recordParameter = extras.Any(a => a.ParameterName == "hyperparameters") ? "values" : "hyperparameters";
        var factoryParameters = new List<string> { $"Hyperparameters {recordParameter}" };
        factoryParameters.AddRange(extras.Select(a => $"{a.Type} {Identifier(a.ParameterName)}"));

        var arguments = hyperparameters.FactoryArguments
            .Where(a => a.Hyperparameter is not null || !a.HasDefault)
            .Select(a => a.Hyperparameter is { } property
                ? $"{Identifier(a.ParameterName)}: {recordParameter}.{property}"
                : $"{Identifier(a.ParameterName)}: {Identifier(a.ParameterName)}");

        writer.WriteLine("/// <summary>Creates the module from saved hyperparameters" + (extras.Count > 0 ? " and the constructor arguments that are not hyperparameters" : string.Empty) + ".</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine($"public static {model.SelfType} FromHyperparameters({string.Join(", ", factoryParameters)})");
        var construction = $"new {model.SelfType}({string.Join(", ", arguments)})";
        if (hyperparameters.FactoryInitializers.Count == 0)
        {
            writer.WriteLine($"    => {construction};");
        }
        else
        {
            writer.WriteLine($"    => {construction}");
            writer.WriteLine("    {");
            foreach (var property in hyperparameters.FactoryInitializers)
            {
                var member = hyperparameters.Items.First(h => h.RecordPropertyName == property).MemberName;
                writer.WriteLine($"        {member} = {recordParameter}.{property},");
            }

            writer.WriteLine("    };");
        }

        writer.WriteLine();
        WriteLoadFromCheckpoint(extras, recordParameter);
    }

    private void WriteLoadFromCheckpoint(List<ConstructorArgumentModel> extras, string recordParameter)
    {
        var parameters = new List<string> { "string path" };
        parameters.AddRange(extras.Select(a => $"{a.Type} {Identifier(a.ParameterName)}"));
        parameters.Add($"global::System.Func<Hyperparameters, Hyperparameters>? overrides = null");
        var factoryArguments = string.Join(", ", new[] { recordParameter }.Concat(extras.Select(a => Identifier(a.ParameterName))));

        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// Rebuilds the module from the hyperparameters saved in a checkpoint and loads its weights.");
        writer.WriteLine("/// <paramref name=\"overrides\"/> can change single hyperparameters, e.g. <c>h => h with { LearningRate = 1e-4 }</c>.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine(generatedCode);
        writer.OpenBlock($"public static {model.SelfType} LoadFromCheckpoint({string.Join(", ", parameters)})");
        writer.WriteLine("using var checkpoint = global::Volt.Checkpoints.CheckpointReader.Open(path);");
        writer.WriteLine($"var {recordParameter} = global::Volt.Checkpoints.TrainingCheckpoint.ReadHyperparameters(checkpoint, typeof({model.SelfType}), Hyperparameters.FromJson);");
        writer.OpenBlock("if (overrides is not null)");
        writer.WriteLine($"{recordParameter} = overrides({recordParameter});");
        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine($"var module = FromHyperparameters({factoryArguments});");
        writer.WriteLine("try");
        writer.OpenBrace();
        writer.WriteLine("global::Volt.Checkpoints.TrainingCheckpoint.LoadModelState(checkpoint, module);");
        writer.WriteLine("return module;");
        writer.CloseBlock();
        writer.WriteLine("catch");
        writer.OpenBrace();
        writer.WriteLine("module.Dispose();");
        writer.WriteLine("throw;");
        writer.CloseBlock();
        writer.CloseBlock();
        writer.WriteLine();
    }

    private void WriteFitLoop()
    {
        if (model.TrainingStep is not { } step || model.Optimizers is not { } optimizers)
        {
            return;
        }

        var fitType = $"global::Volt.Loops.FitLoop<{step.BatchType}>";
        if (model.ValidationStep is { } validation)
        {
            var validationType = $"global::Volt.Loops.EvaluationLoop<{validation.BatchType}>";
            writer.WriteLine(generatedCode);
            writer.WriteLine($"void global::Volt.IFitModule<{step.BatchType}>.RunFit({fitType} fit) => RunFit(fit, null);");
            writer.WriteLine();
            writer.WriteLine(generatedCode);
            writer.WriteLine($"void global::Volt.IFitModule<{step.BatchType}, {validation.BatchType}>.RunFit({fitType} fit, {validationType}? validation) => RunFit(fit, validation);");
            writer.WriteLine();
            writer.WriteLine("/// <summary>The fit loop: per epoch, every training batch, then a validation epoch.</summary>");
            writer.WriteLine(generatedCode);
            writer.OpenBlock($"private void RunFit({fitType} fit, {validationType}? validation)");
        }
        else
        {
            writer.WriteLine("/// <summary>The fit loop: per epoch, every training batch.</summary>");
            writer.WriteLine(generatedCode);
            writer.OpenBlock($"void global::Volt.IFitModule<{step.BatchType}>.RunFit({fitType} fit)");
        }

        WriteOptimizerWiring(step, optimizers);
        var hasValidation = model.ValidationStep is not null;
        if (hasValidation)
        {
            writer.OpenBlock("if (validation is not null && fit.BeginSanityCheck())");
            writer.WriteLine("RunValidationEpoch(validation);");
            writer.WriteLine("fit.EndSanityCheck();");
            writer.CloseBlock();
            writer.WriteLine();
        }

        writer.OpenBlock("while (fit.BeginEpoch())");
        writer.WriteLine("train();");
        writer.OpenBlock("for (var batchIndex = fit.FirstBatchIndex; fit.BeginBatch(batchIndex); batchIndex++)");
        writer.OpenBlock($"using (var scope = {Torch}.NewDisposeScope())");
        WriteGetBatch("fit", step.BatchType);
        if (step.Manual)
        {
            WriteManualStep(step);
        }
        else
        {
            WriteAutomaticStep(step);
        }

        writer.WriteLine("fit.EndBatch(batchIndex);");
        writer.CloseBlock();
        writer.WriteLine();
        if (hasValidation)
        {
            writer.OpenBlock("if (validation is not null && fit.ShouldValidateAfterBatch(batchIndex))");
            writer.WriteLine("RunValidationEpoch(validation);");
            writer.CloseBlock();
        }

        writer.CloseBlock();
        writer.WriteLine();
        writer.WriteLine("fit.EndEpoch();");
        writer.CloseBlock();
        writer.CloseBlock();
        writer.WriteLine();
    }

    /// <summary>Calls [ConfigureOptimizers] and hands what it returned to the loop, as its compile-time shape says.</summary>
    private void WriteOptimizerWiring(TrainingStepModel step, OptimizerConfigModel optimizers)
    {
        var configure = optimizers.MethodName + "()" + (optimizers.ReturnsNullable ? NullCheck("[ConfigureOptimizers]", optimizers.MethodName, "what the loop optimizes with") : string.Empty);
        switch (optimizers.Shape)
        {
            case OptimizerConfigShape.OptimizerWithScheduler when step.Manual:
                writer.WriteLine($"var optimizers = {configure};");
                writer.WriteLine("fit.AttachOptimizer(optimizers.Optimizer, optimizers.Scheduler);");
                break;
            case OptimizerConfigShape.OptimizerWithScheduler:
                writer.WriteLine($"var configuration = {configure};");
                writer.WriteLine("var optimizer = configuration.Optimizer;");
                writer.WriteLine("fit.AttachOptimizer(optimizer, configuration.Scheduler);");
                break;
            case OptimizerConfigShape.OptimizerTuple when optimizers.TupleElementIsConfig.Any(isConfig => isConfig):
                writer.WriteLine($"var optimizers = {configure};");
                for (var i = 0; i < optimizers.TupleSize; i++)
                {
                    writer.WriteLine(optimizers.TupleElementIsConfig[i]
                        ? $"fit.AttachOptimizer(optimizers.Item{i + 1}.Optimizer, optimizers.Item{i + 1}.Scheduler);"
                        : $"fit.AttachOptimizer(optimizers.Item{i + 1});");
                }

                break;
            case OptimizerConfigShape.OptimizerTuple:
                writer.WriteLine($"var optimizers = {configure};");
                var items = string.Join(", ", Enumerable.Range(1, optimizers.TupleSize).Select(i => $"optimizers.Item{i}"));
                writer.WriteLine($"fit.AttachOptimizers({items});");
                break;
            default:
                var name = step.Manual ? "optimizers" : "optimizer";
                writer.WriteLine($"var {name} = {configure};");
                writer.WriteLine($"fit.AttachOptimizer({name});");
                break;
        }

        if (step.Manual)
        {
            writer.WriteLine("fit.BeginManualOptimization();");
        }
    }

    private void WriteAutomaticStep(TrainingStepModel step)
    {
        writer.WriteLine($"{Tensor} loss;");
        writer.OpenBlock("using (fit.Precision.Autocast())");
        var nullCheck = step.ReturnsNullable ? NullCheck("[TrainingStep]", step.MethodName, "the loss tensor") : string.Empty;
        writer.WriteLine($"loss = {step.MethodName}({StepArguments(step.TakesBatchIndex)}){nullCheck};");
        writer.CloseBlock();
        writer.OpenBlock("if (fit.StartsAccumulationWindow(batchIndex))");
        writer.WriteLine("optimizer.zero_grad();");
        writer.CloseBlock();
        writer.WriteLine("fit.BeforeBackward(loss);");
        writer.WriteLine("fit.Precision.Backward(fit.ScaleForAccumulation(loss));");
        writer.WriteLine("fit.AfterBackward();");
        writer.OpenBlock("if (fit.ShouldStepOptimizer(batchIndex))");
        writer.WriteLine("fit.Strategy.ReduceGradients();");
        writer.WriteLine("fit.Precision.UnscaleGradients(optimizer);");
        writer.WriteLine("fit.BeforeOptimizerStep(optimizer);");
        writer.WriteLine("fit.ClipGradients(optimizer);");
        writer.WriteLine("fit.Precision.OptimizerStep(optimizer);");
        writer.CloseBlock();
    }

    /// <summary>Manual optimization: the step runs ManualBackward and the optimizer steps itself.</summary>
    private void WriteManualStep(TrainingStepModel step)
    {
        writer.OpenBlock("using (fit.Precision.Autocast())");
        writer.WriteLine($"{step.MethodName}({StepArguments(step.TakesBatchIndex)}, optimizers);");
        writer.CloseBlock();
    }

    private void WriteEvaluationLoop(EvaluationStepModel? step, string methodName, string loopName)
    {
        if (step is null)
        {
            return;
        }

        var loopType = $"global::Volt.Loops.EvaluationLoop<{step.BatchType}>";
        var interfaceCall = loopName == "validation"
            ? $"void global::Volt.IValidateModule<{step.BatchType}>.RunValidate({loopType} validation) => {methodName}(validation);"
            : $"void global::Volt.ITestModule<{step.BatchType}>.RunTest({loopType} test) => {methodName}(test);";
        writer.WriteLine(generatedCode);
        writer.WriteLine(interfaceCall);
        writer.WriteLine();
        writer.WriteLine($"/// <summary>One {loopName} epoch in eval mode without gradients; the module's previous mode is restored afterwards.</summary>");
        writer.WriteLine(generatedCode);
        writer.OpenBlock($"private void {methodName}({loopType} {loopName})");
        OpenEvalModeRegion(loopName);
        writer.OpenBlock($"for (var batchIndex = 0; {loopName}.BeginBatch(batchIndex); batchIndex++)");
        writer.WriteLine($"using var scope = {Torch}.NewDisposeScope();");
        WriteGetBatch(loopName, step.BatchType);
        writer.OpenBlock($"using ({loopName}.Precision.Autocast())");
        writer.WriteLine($"{step.MethodName}({StepArguments(step.TakesBatchIndex)});");
        writer.CloseBlock();
        writer.WriteLine($"{loopName}.EndBatch(batchIndex);");
        writer.CloseBlock();
        writer.WriteLine();
        CloseEvalModeRegion(loopName);
    }

    private void WritePredictLoop()
    {
        if (model.PredictStep is not { } step)
        {
            return;
        }

        writer.WriteLine("/// <summary>The predict loop in eval mode without gradients; each output is detached from its step's dispose scope and belongs to the caller.</summary>");
        writer.WriteLine(generatedCode);
        writer.OpenBlock($"void global::Volt.IPredictModule<{step.BatchType}, {step.OutputType}>.RunPredict(global::Volt.Loops.PredictLoop<{step.BatchType}, {step.OutputType}> predict)");
        OpenEvalModeRegion("predict");
        writer.OpenBlock("for (var batchIndex = 0; predict.BeginBatch(batchIndex); batchIndex++)");
        writer.WriteLine($"using var scope = {Torch}.NewDisposeScope();");
        writer.WriteLine($"var batch = MoveBatchToDevice(predict.GetBatch(batchIndex), predict.Device, predict.Precision.InputDtype);");
        writer.WriteLine($"{step.OutputType} output;");
        writer.OpenBlock("using (predict.Precision.Autocast())");
        writer.WriteLine($"output = {step.MethodName}({StepArguments(step.TakesBatchIndex)});");
        writer.CloseBlock();
        if (step.OutputIsTensor)
        {
            writer.WriteLine(step.OutputIsNullable ? "output?.DetachFromDisposeScope();" : "output.DetachFromDisposeScope();");
        }

        foreach (var member in step.OutputTensorMembers)
        {
            writer.WriteLine($"output.{member}?.DetachFromDisposeScope();");
        }

        writer.WriteLine("predict.AddOutput(batchIndex, output);");
        writer.CloseBlock();
        writer.WriteLine();
        CloseEvalModeRegion("predict");
    }

    /// <summary>Opens eval mode and no_grad around a loop, remembering the module's mode.</summary>
    private void OpenEvalModeRegion(string loopName)
    {
        writer.WriteLine("var wasTraining = training;");
        writer.WriteLine("eval();");
        writer.WriteLine("try");
        writer.OpenBrace();
        writer.WriteLine($"using var noGrad = {Torch}.no_grad();");
        writer.WriteLine($"{loopName}.BeginEpoch();");
    }

    /// <summary>Ends the loop's epoch and restores the module's mode, also on exceptions; closes the method.</summary>
    private void CloseEvalModeRegion(string loopName)
    {
        writer.WriteLine($"{loopName}.EndEpoch();");
        writer.CloseBlock();
        writer.WriteLine("finally");
        writer.OpenBrace();
        writer.WriteLine("train(wasTraining);");
        writer.CloseBlock();
        writer.CloseBlock();
        writer.WriteLine();
    }

    private void WriteGetBatch(string loopName, string batchType)
    {
        writer.WriteLine($"var batch = MoveBatchToDevice({loopName}.GetBatch(batchIndex), {loopName}.Device, {loopName}.Precision.InputDtype);");
        var batch = model.BatchTypes.First(b => b.FullyQualifiedName == batchType);
        var sizeMember = batch.BatchSizeMember;
        if (sizeMember is not null)
        {
            var tensor = sizeMember.Length == 0 ? "batch" : "batch." + sizeMember;
            writer.WriteLine($"{loopName}.Metrics.SetBatchSize({tensor}.size(0));");
        }
        else if (batch.BatchSizeCollection is { } collection)
        {
            var member = batch.Members.First(m => m.Name == collection);
            var tensors = member.Collection == TensorCollection.Dictionary ? $"batch.{collection}?.Values" : $"batch.{collection}";
            writer.OpenBlock($"if (global::Volt.BatchTransfer.FirstDimension({tensors}) is {{ }} batchSize)");
            writer.WriteLine($"{loopName}.Metrics.SetBatchSize(batchSize);");
            writer.CloseBlock();
        }
    }

    /// <summary>A <c>?? throw</c> for a method declared to return null: the error names the method instead of a later NullReferenceException.</summary>
    private static string NullCheck(string attribute, string methodName, string expected)
        => $" ?? throw new global::System.InvalidOperationException({SymbolDisplay.FormatLiteral($"{attribute} '{methodName.TrimStart('@')}' returned null; return {expected}.", quote: true)})";

    private static string StepArguments(bool takesBatchIndex) => takesBatchIndex ? "batch, batchIndex" : "batch";

    private void WriteBatchTransfers()
    {
        foreach (var batch in model.BatchTypes)
        {
            writer.WriteLine("/// <summary>Returns the batch with its tensors on <paramref name=\"device\"/> (floating-point ones cast to <paramref name=\"floatType\"/> when given); a batch already there is returned as it is.</summary>");
            writer.WriteLine(generatedCode);
            var signature = $"private static {batch.FullyQualifiedName} MoveBatchToDevice({batch.FullyQualifiedName} batch, {Device} device, {Torch}.ScalarType? floatType)";
            var tensors = batch.Members.Where(m => m.IsTensor).ToList();
            if (batch.Kind == BatchKind.Tensor)
            {
                writer.WriteLine(signature);
                writer.WriteLine("    => global::Volt.BatchTransfer.ToDevice(batch, device, floatType);");
                writer.WriteLine();
                continue;
            }

            if (tensors.Count == 0)
            {
                writer.WriteLine(signature + " => batch;");
                writer.WriteLine();
                continue;
            }

            writer.OpenBlock(signature);
            var onDevice = string.Join(" && ", tensors.Select(t => $"global::Volt.BatchTransfer.{(t.Collection == TensorCollection.None ? "IsOnDevice" : "AreOnDevice")}(batch.{t.Name}, device, floatType)"));
            writer.OpenBlock($"if ({onDevice})");
            writer.WriteLine("return batch;");
            writer.CloseBlock();
            writer.WriteLine();
            writer.WriteLine(batch.Kind == BatchKind.WithExpression ? "return batch with" : $"return new {batch.FullyQualifiedName}");
            writer.OpenBrace();
            foreach (var member in batch.Members)
            {
                var value = member.IsTensor ? $"global::Volt.BatchTransfer.ToDevice(batch.{member.Name}, device, floatType)" : $"batch.{member.Name}";
                writer.WriteLine($"{member.Name} = {value},");
            }

            writer.CloseBlock(";");
            writer.CloseBlock();
            writer.WriteLine();
        }
    }

    private void WriteRegistration()
    {
        var overrides = new HashSet<string>(model.RegistrationOverrides);
        if (overrides.Count == 0)
        {
            return;
        }

        writer.WriteLine("// TorchSharp finds submodules, parameters and buffers by reflecting over fields in RegisterComponents().");
        writer.WriteLine("// Modules with primary constructors never call it, so every entry point that reads them registers first.");
        writer.WriteLine("// RegisterComponents() runs once; later calls return at once.");
        var members = new (string Name, string Signature, string Call)[]
        {
            ("named_parameters", "public override global::System.Collections.Generic.IEnumerable<(string name, global::TorchSharp.Modules.Parameter parameter)> named_parameters(bool recurse = true)", "base.named_parameters(recurse)"),
            ("named_buffers", $"public override global::System.Collections.Generic.IEnumerable<(string name, {Tensor} buffer)> named_buffers(bool recurse = true, bool include_nonpersistent = true)", "base.named_buffers(recurse, include_nonpersistent)"),
            ("named_children", $"public override global::System.Collections.Generic.IEnumerable<(string name, {NnModule} module)> named_children()", "base.named_children()"),
            ("named_modules", $"public override global::System.Collections.Generic.IEnumerable<(string name, {NnModule} module)> named_modules()", "base.named_modules()"),
            ("state_dict", $"public override global::System.Collections.Generic.Dictionary<string, {Tensor}> state_dict(global::System.Collections.Generic.Dictionary<string, {Tensor}>? destination = null, string? prefix = null)", "base.state_dict(destination, prefix)"),
            ("apply", $"public override {NnModule} apply(global::System.Action<{NnModule}> fn)", "base.apply(fn)"),
            ("_to", $"protected override {NnModule} _to({Device} device, {Torch}.ScalarType dtype, bool non_blocking)", "base._to(device, dtype, non_blocking)"),
            ("_to", $"protected override {NnModule} _to(global::TorchSharp.DeviceType deviceType, int deviceIndex, bool non_blocking)", "base._to(deviceType, deviceIndex, non_blocking)"),
            ("_to", $"protected override {NnModule} _to({Torch}.ScalarType dtype, bool non_blocking)", "base._to(dtype, non_blocking)"),
        };

        foreach (var (name, signature, call) in members)
        {
            if (!overrides.Contains(name))
            {
                continue;
            }

            writer.WriteLine(generatedCode);
            writer.OpenBlock(signature);
            writer.WriteLine("RegisterComponents();");
            writer.WriteLine($"return {call};");
            writer.CloseBlock();
            writer.WriteLine();
        }
    }

    private static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);
}
