using System;
using Volt.Generators.Model;

namespace Volt.Generators.Emitting;

/// <summary>The evaluation loops section: a validation or test epoch in eval mode without gradients.</summary>
internal sealed partial class ModuleEmitter
{
    private void WriteEvaluationLoop(EvaluationStepModel? step, string methodName, string loopName)
    {
        if (step is null)
        {
            return;
        }

        var loopType = $"global::Volt.Loops.EvaluationLoop<{step.BatchType}>";
        WriteMember(loopName == "validation"
            ? $"void global::Volt.IValidateModule<{step.BatchType}>.RunValidate({loopType} validation) => {methodName}(validation);"
            : $"void global::Volt.ITestModule<{step.BatchType}>.RunTest({loopType} test) => {methodName}(test);");
        writer.WriteLine($"/// <summary>One {loopName} epoch in eval mode without gradients; the module's previous mode is restored afterwards.</summary>");
        writer.WriteLine(generatedCode);
        using (writer.Block($"private void {methodName}({loopType} {loopName})"))
        {
            WriteInEvalMode(loopName, () =>
            {
                using (writer.Block($"for (var batchIndex = 0; {loopName}.BeginBatch(batchIndex); batchIndex++)"))
                using (writer.Block($"using ({Torch}.NewDisposeScope())"))
                {
                    WriteGetBatch(loopName, step.BatchType);
                    var stepAction = loopName == "validation" ? "ValidationStep" : "TestStep";
                    writer.WriteLine($"using ({loopName}.Profile({ProfiledAction}.{stepAction}))");
                    using (writer.Block($"using ({loopName}.Precision.Autocast())"))
                    {
                        writer.WriteLine($"{step.MethodName}({StepArguments(step.TakesBatchIndex)});");
                    }

                    writer.WriteLine($"{loopName}.EndBatch(batchIndex);");
                }
            });
        }

        writer.WriteLine();
    }

    /// <summary>
    /// Writes <paramref name="writeBatches"/> between the loop's BeginEpoch and EndEpoch, in eval mode
    /// and no_grad, and restores the module's previous mode afterwards, also on exceptions.
    /// </summary>
    private void WriteInEvalMode(string loopName, Action writeBatches)
    {
        writer.WriteLine("var wasTraining = training;");
        writer.WriteLine("eval();");
        using (writer.Block("try"))
        {
            writer.WriteLine($"using var noGrad = {Torch}.no_grad();");
            writer.WriteLine($"{loopName}.BeginEpoch();");
            writeBatches();
            writer.WriteLine();
            writer.WriteLine($"{loopName}.EndEpoch();");
        }

        using (writer.Block("finally"))
        {
            writer.WriteLine("train(wasTraining);");
        }
    }
}
