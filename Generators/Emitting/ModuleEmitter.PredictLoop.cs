namespace Volt.Generators.Emitting;

/// <summary>The predict loop section: each batch's output detached from its step's dispose scope and handed to the caller.</summary>
internal sealed partial class ModuleEmitter
{
    private void WritePredictLoop()
    {
        if (model.PredictStep is not { } step)
        {
            return;
        }

        writer.WriteLine("/// <summary>The predict loop in eval mode without gradients; each output is detached from its step's dispose scope and belongs to the caller.</summary>");
        writer.WriteLine(generatedCode);
        using (writer.Block($"void global::Volt.IPredictModule<{step.BatchType}, {step.OutputType}>.RunPredict(global::Volt.Loops.PredictLoop<{step.BatchType}, {step.OutputType}> predict)"))
        {
            WriteInEvalMode("predict", () =>
            {
                using (writer.Block("for (var batchIndex = 0; predict.BeginBatch(batchIndex); batchIndex++)"))
                using (writer.Block($"using ({Torch}.NewDisposeScope())"))
                {
                    WriteFetchAndTransfer("predict");
                    writer.WriteLine($"{step.OutputType} output;");
                    writer.WriteLine($"using (predict.Profile({ProfiledAction}.PredictStep))");
                    using (writer.Block("using (predict.Precision.Autocast())"))
                    {
                        writer.WriteLine($"output = {step.MethodName}({StepArguments(step.TakesBatchIndex)});");
                    }

                    if (step.OutputIsTensor)
                    {
                        writer.WriteLine(step.OutputIsNullable ? "output?.DetachFromDisposeScope();" : "output.DetachFromDisposeScope();");
                    }

                    foreach (var member in step.OutputTensorMembers)
                    {
                        writer.WriteLine($"output.{member}?.DetachFromDisposeScope();");
                    }

                    writer.WriteLine("predict.AddOutput(batchIndex, output);");
                }
            });
        }

        writer.WriteLine();
    }
}
