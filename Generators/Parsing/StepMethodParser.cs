using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Checks the signatures of the step methods ([TrainingStep], automatic or manual, [ValidationStep],
/// [TestStep], [PredictStep]) against what the generated loops call, and parses each step's batch type.
/// </summary>
internal sealed class StepMethodParser(Compilation compilation, TorchSymbols torch, BatchTypeParser batches, List<ModuleProblem> problems, SymbolDisplayFormat typeFormat)
{
    private const string TrainingStep = "[TrainingStep]";
    private const string PredictStep = "[PredictStep]";

    /// <summary>The [TrainingStep]; <paramref name="optimizersType"/> is what [ConfigureOptimizers] returns (a manual step takes it).</summary>
    public TrainingStepModel? ParseTraining(IMethodSymbol method, OptimizerConfigModel? optimizers, ITypeSymbol? optimizersType)
    {
        var manual = method.GetAttributes()
            .First(a => a.AttributeClass?.ToDisplayString() == WellKnownNames.TrainingStepAttribute)
            .NamedArguments.Any(a => a.Key == "AutomaticOptimization" && a.Value.Value is false);
        return manual ? ParseManualTraining(method, optimizers, optimizersType) : ParseAutomaticTraining(method, optimizers);
    }

    private TrainingStepModel? ParseAutomaticTraining(IMethodSymbol method, OptimizerConfigModel? optimizers)
    {
        const string accepted = "Tensor Name(TBatch batch) or Tensor Name(TBatch batch, int batchIndex), returning the loss";
        if (!CheckShape(method, TrainingStep, accepted))
        {
            return null;
        }

        if (!torch.IsTensor(method.ReturnType))
        {
            ReportSignature(TrainingStep, method, "must return the loss as a Tensor", accepted);
            return null;
        }

        if (optimizers?.Shape == OptimizerConfigShape.OptimizerTuple)
        {
            problems.Report(ModuleProblemKind.UnsupportedConfigureOptimizers, optimizers.MethodName, optimizers.MethodName, $"returns {optimizers.TupleSize} optimizers under automatic optimization; several optimizers need [TrainingStep(AutomaticOptimization = false)] with a step that takes the optimizers");
            return null;
        }

        var batch = batches.Parse(method.Parameters[0].Type, method.Name);
        return batch is null ? null : new TrainingStepModel(SymbolExtensions.Escape(method.Name), batch.FullyQualifiedName, method.Parameters.Length == 2, Manual: false, ReturnsNullable: method.ReturnType.NullableAnnotation == NullableAnnotation.Annotated);
    }

    private TrainingStepModel? ParseManualTraining(IMethodSymbol method, OptimizerConfigModel? optimizers, ITypeSymbol? optimizersType)
    {
        const string accepted = "with AutomaticOptimization = false, void Name(TBatch batch, TOptimizers optimizers) or void Name(TBatch batch, int batchIndex, TOptimizers optimizers), where TOptimizers is what [ConfigureOptimizers] returns (an optimizer or a tuple of optimizers)";
        var parameters = method.Parameters;
        string? reason = null;
        if (method.IsStatic || method.IsGenericMethod || method.IsAsync || TorchSymbols.IsTaskLike(method.ReturnType))
        {
            reason = "is static, generic or async";
        }
        else if (parameters.Length is < 2 or > 3 || parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            reason = $"takes {parameters.Length} parameters";
        }
        else if (parameters.Length == 3 && parameters[1].Type.SpecialType != SpecialType.System_Int32)
        {
            reason = "has a middle parameter that is not the int batch index";
        }
        else if (!method.ReturnsVoid && !torch.IsTensor(method.ReturnType))
        {
            reason = "returns something other than void or a Tensor";
        }

        if (reason is not null)
        {
            ReportSignature(TrainingStep, method, reason, accepted);
            return null;
        }

        if (optimizers is null || optimizersType is null)
        {
            return null;
        }

        var optimizersParameter = parameters[parameters.Length - 1].Type;
        if (!compilation.HasImplicitConversion(optimizersType, optimizersParameter))
        {
            ReportSignature(TrainingStep, method, $"takes '{optimizersParameter.ToDisplayString()}', but [ConfigureOptimizers] returns '{optimizersType.ToDisplayString()}'", accepted);
            return null;
        }

        var batch = batches.Parse(parameters[0].Type, method.Name);
        return batch is null ? null : new TrainingStepModel(SymbolExtensions.Escape(method.Name), batch.FullyQualifiedName, parameters.Length == 3, Manual: true, ReturnsNullable: false);
    }

    /// <summary>A [ValidationStep] or [TestStep] (<paramref name="display"/> names which).</summary>
    public EvaluationStepModel? ParseEvaluation(IMethodSymbol method, string display)
    {
        const string accepted = "void Name(TBatch batch) or void Name(TBatch batch, int batchIndex); a Tensor return value is allowed and ignored";
        if (!CheckShape(method, display, accepted))
        {
            return null;
        }

        if (!method.ReturnsVoid && !torch.IsTensor(method.ReturnType))
        {
            ReportSignature(display, method, $"returns '{method.ReturnType.ToDisplayString()}'", accepted);
            return null;
        }

        var batch = batches.Parse(method.Parameters[0].Type, method.Name);
        return batch is null ? null : new EvaluationStepModel(SymbolExtensions.Escape(method.Name), batch.FullyQualifiedName, method.Parameters.Length == 2);
    }

    /// <summary>The [PredictStep] and the tensors of its output, which the predict loop detaches.</summary>
    public PredictStepModel? ParsePredict(IMethodSymbol method)
    {
        const string accepted = "TOutput Name(TBatch batch) or TOutput Name(TBatch batch, int batchIndex), where TOutput is a Tensor or a type whose tensors are properties or fields";
        if (!CheckShape(method, PredictStep, accepted))
        {
            return null;
        }

        if (method.ReturnsVoid || method.ReturnType.TypeKind == TypeKind.TypeParameter)
        {
            ReportSignature(PredictStep, method, "must return its prediction", accepted);
            return null;
        }

        var batch = batches.Parse(method.Parameters[0].Type, method.Name);
        if (batch is null)
        {
            return null;
        }

        var output = method.ReturnType;
        var outputMembers = torch.IsTensor(output)
            ? []
            : batches.TensorMembers(output).Select(m => SymbolExtensions.Escape(m.Name)).ToList();
        var outputIsNullable = output.NullableAnnotation == NullableAnnotation.Annotated;
        return new PredictStepModel(SymbolExtensions.Escape(method.Name), batch.FullyQualifiedName, method.Parameters.Length == 2, output.ToDisplayString(typeFormat), outputMembers.ToEquatableArray(), torch.IsTensor(output), outputIsNullable);
    }

    /// <summary>The checks every automatic step shares: a synchronous instance method taking the batch and optionally the int batch index.</summary>
    private bool CheckShape(IMethodSymbol method, string display, string accepted)
    {
        string? reason = null;
        if (method.IsStatic)
        {
            reason = "is static";
        }
        else if (method.IsGenericMethod)
        {
            reason = "is generic";
        }
        else if (method.IsAsync || TorchSymbols.IsTaskLike(method.ReturnType))
        {
            reason = "is async; steps run synchronously inside the loop";
        }
        else if (method.ReturnsByRef || method.ReturnsByRefReadonly)
        {
            reason = "returns by reference";
        }
        else if (method.Parameters.Length is < 1 or > 2)
        {
            reason = $"takes {method.Parameters.Length} parameters";
        }
        else if (method.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
        {
            reason = "has a ref, out, in or params parameter";
        }
        else if (method.Parameters.Length == 2 && method.Parameters[1].Type.SpecialType != SpecialType.System_Int32)
        {
            reason = "has a second parameter that is not the int batch index";
        }

        if (reason is null)
        {
            return true;
        }

        ReportSignature(display, method, reason, accepted);
        return false;
    }

    private void ReportSignature(string display, IMethodSymbol method, string reason, string accepted)
        => problems.Report(ModuleProblemKind.UnsupportedStepSignature, method.Name, display, method.Name, reason, accepted);
}
