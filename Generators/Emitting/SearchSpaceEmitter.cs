using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Volt.Generators.Model;

namespace Volt.Generators.Emitting;

/// <summary>
/// Writes a module's declared search space as a second generated file: the static <c>SearchSpace</c>
/// (for grid sampling and reports) and <c>SampleHyperparameters</c>, which asks a trial for each
/// searched hyperparameter with its exact type — no reflection.
/// </summary>
internal static class SearchSpaceEmitter
{
    private const string SearchNamespace = "global::Volt.Search";

    /// <summary>Returns the source text of the search-space file.</summary>
    public static string Emit(HierarchyInfo hierarchy, string className, SearchSpaceModel space, string version)
    {
        var generatedCode = GeneratedFileFrame.GeneratedCodeAttribute(version);
        var writer = new SourceWriter();
        using (GeneratedFileFrame.Open(writer, hierarchy, className, [], "the search-space attributes"))
        {
            WriteSearchSpace(writer, space, generatedCode);
            WriteSampler(writer, space, generatedCode);
        }

        return writer.ToString();
    }

    private static void WriteSearchSpace(SourceWriter writer, SearchSpaceModel space, string generatedCode)
    {
        writer.WriteLine("/// <summary>The declared search space of the hyperparameters, in record order.</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine($"public static {SearchNamespace}.SearchSpace SearchSpace {{ get; }} = new(");
        for (var i = 0; i < space.Parameters.Count; i++)
        {
            var parameter = space.Parameters[i];
            var separator = i < space.Parameters.Count - 1 ? "," : ");";
            writer.WriteLine($"    new {SearchNamespace}.SearchParameter({Quote(parameter.Name)}, {Distribution(parameter)}){separator}");
        }

        writer.WriteLine();
    }

    private static void WriteSampler(SourceWriter writer, SearchSpaceModel space, string generatedCode)
    {
        writer.WriteLine("/// <summary>Asks <paramref name=\"trial\"/> for every searched hyperparameter; the others keep their value in <paramref name=\"defaults\"/>.</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine($"public static Hyperparameters SampleHyperparameters({SearchNamespace}.ITrial trial, Hyperparameters defaults)");
        writer.WriteLine("    => defaults with");
        writer.WriteLine("    {");
        foreach (var parameter in space.Parameters)
        {
            writer.WriteLine($"        {parameter.RecordPropertyName} = {Suggestion(parameter)},");
        }

        writer.WriteLine("    };");
        writer.WriteLine();
        if (space.DefaultArguments.Count == 0)
        {
            return;
        }

        writer.WriteLine("/// <summary>Asks <paramref name=\"trial\"/> for every searched hyperparameter; the others keep their declared defaults.</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine($"public static Hyperparameters SampleHyperparameters({SearchNamespace}.ITrial trial)");
        writer.WriteLine($"    => SampleHyperparameters(trial, new Hyperparameters({string.Join(", ", space.DefaultArguments)}));");
        writer.WriteLine();
    }

    private static string Distribution(SearchParameterModel parameter) => parameter.Kind switch
    {
        SearchKind.Float => $"new {SearchNamespace}.FloatDistribution({parameter.Low}, {parameter.High}"
            + (parameter.Log ? ", Log: true" : string.Empty)
            + (parameter.Step is { } step ? $", Step: {step}" : string.Empty) + ")",
        SearchKind.Int => $"new {SearchNamespace}.IntDistribution({parameter.Low}, {parameter.High}"
            + (parameter.Log ? ", Log: true" : string.Empty)
            + (parameter.Step is not "1" ? $", Step: {parameter.Step}" : string.Empty) + ")",
        _ => $"new {SearchNamespace}.CategoricalDistribution(new object?[] {{ {string.Join(", ", parameter.StoredChoices)} }})",
    };

    private static string Suggestion(SearchParameterModel parameter) => parameter.Kind switch
    {
        SearchKind.Float => $"{parameter.Cast}trial.SuggestFloat({Quote(parameter.Name)}, {parameter.Low}, {parameter.High}"
            + (parameter.Log ? ", log: true" : string.Empty)
            + (parameter.Step is { } step ? $", step: {step}" : string.Empty) + ")",
        SearchKind.Int => $"{parameter.Cast}trial.SuggestInt({Quote(parameter.Name)}, {parameter.Low}, {parameter.High}"
            + (parameter.Step is not "1" ? $", step: {parameter.Step}" : string.Empty)
            + (parameter.Log ? ", log: true" : string.Empty) + ")",
        _ => $"trial.SuggestCategorical({Quote(parameter.Name)}, new {parameter.ChoiceType}[] {{ {string.Join(", ", parameter.Choices)} }})",
    };

    private static string Quote(string text) => SymbolDisplay.FormatLiteral(text, quote: true);
}
