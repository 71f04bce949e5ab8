using System.Linq;
using Volt.Generators.Model;

namespace Volt.Generators.Emitting;

/// <summary>The fit loop section: optimizer wiring, the sanity check, the epoch and batch loops, and one optimization step (automatic or manual).</summary>
internal sealed partial class ModuleEmitter
{
    private void WriteFitLoop()
    {
        if (model.TrainingStep is not { } step || model.Optimizers is not { } optimizers)
        {
            return;
        }

        var fitType = $"global::Volt.Loops.FitLoop<{step.BatchType}>";
        string signature;
        if (model.ValidationStep is { } validation)
        {
            var validationType = $"global::Volt.Loops.EvaluationLoop<{validation.BatchType}>";
            WriteMember($"void global::Volt.IFitModule<{step.BatchType}>.RunFit({fitType} fit) => RunFit(fit, null);");
            WriteMember($"void global::Volt.IFitModule<{step.BatchType}, {validation.BatchType}>.RunFit({fitType} fit, {validationType}? validation) => RunFit(fit, validation);");
            writer.WriteLine("/// <summary>The fit loop: per epoch, every training batch, then a validation epoch.</summary>");
            signature = $"private void RunFit({fitType} fit, {validationType}? validation)";
        }
        else
        {
            writer.WriteLine("/// <summary>The fit loop: per epoch, every training batch.</summary>");
            signature = $"void global::Volt.IFitModule<{step.BatchType}>.RunFit({fitType} fit)";
        }

        writer.WriteLine(generatedCode);
        using (writer.Block(signature))
        {
            WriteOptimizerWiring(step, optimizers);
            var hasValidation = model.ValidationStep is not null;
            if (hasValidation)
            {
                using (writer.Block("if (validation is not null && fit.BeginSanityCheck())"))
                {
                    writer.WriteLine("RunValidationEpoch(validation);");
                    writer.WriteLine("fit.EndSanityCheck();");
                }

                writer.WriteLine();
            }

            using (writer.Block("while (fit.BeginEpoch())"))
            {
                writer.WriteLine("train();");
                using (writer.Block("for (var batchIndex = fit.FirstBatchIndex; fit.BeginBatch(batchIndex); batchIndex++)"))
                {
                    using (writer.Block($"using ({Torch}.NewDisposeScope())"))
                    {
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
                    }

                    writer.WriteLine();
                    if (hasValidation)
                    {
                        writer.WriteLine("// The step's dispose scope has ended: its tensors are freed before validation runs.");
                        using (writer.Block("if (validation is not null && fit.ShouldValidateAfterBatch(batchIndex))"))
                        {
                            writer.WriteLine("RunValidationEpoch(validation);");
                        }
                    }
                }

                writer.WriteLine();
                writer.WriteLine("fit.EndEpoch();");
            }
        }

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

    /// <summary>Automatic optimization: forward under autocast, backward through the precision plugin, then the optimizer step when the accumulation window ends.</summary>
    private void WriteAutomaticStep(TrainingStepModel step)
    {
        writer.WriteLine($"{Tensor} loss;");
        writer.WriteLine($"using (fit.Profile({ProfiledAction}.TrainingStep))");
        using (writer.Block("using (fit.Precision.Autocast())"))
        {
            var nullCheck = step.ReturnsNullable ? NullCheck("[TrainingStep]", step.MethodName, "the loss tensor") : string.Empty;
            writer.WriteLine($"loss = {step.MethodName}({StepArguments(step.TakesBatchIndex)}){nullCheck};");
        }

        using (writer.Block("if (fit.StartsAccumulationWindow(batchIndex))"))
        {
            writer.WriteLine("optimizer.zero_grad();");
        }

        writer.WriteLine("fit.BeforeBackward(loss);");
        using (writer.Block($"using (fit.Profile({ProfiledAction}.Backward))"))
        {
            writer.WriteLine("fit.Precision.Backward(fit.ScaleForAccumulation(loss));");
        }

        writer.WriteLine("fit.AfterBackward();");
        using (writer.Block("if (fit.ShouldStepOptimizer(batchIndex))"))
        using (writer.Block($"using (fit.Profile({ProfiledAction}.OptimizerStep))"))
        {
            writer.WriteLine("fit.Strategy.ReduceGradients();");
            writer.WriteLine("fit.Precision.UnscaleGradients(optimizer);");
            writer.WriteLine("fit.BeforeOptimizerStep(optimizer);");
            writer.WriteLine("fit.ClipGradients(optimizer);");
            writer.WriteLine("fit.Precision.OptimizerStep(optimizer);");
        }
    }

    /// <summary>Manual optimization: the step runs ManualBackward and the optimizer steps itself.</summary>
    private void WriteManualStep(TrainingStepModel step)
    {
        writer.WriteLine($"using (fit.Profile({ProfiledAction}.TrainingStep))");
        using (writer.Block("using (fit.Precision.Autocast())"))
        {
            writer.WriteLine($"{step.MethodName}({StepArguments(step.TakesBatchIndex)}, optimizers);");
        }
    }
}
