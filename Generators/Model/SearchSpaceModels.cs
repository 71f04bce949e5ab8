using Microsoft.CodeAnalysis;

namespace Volt.Generators.Model;

/// <summary>Which search-space attribute a hyperparameter carries.</summary>
internal enum SearchKind
{
    /// <summary>[FloatRange]: <c>trial.SuggestFloat</c>.</summary>
    Float,

    /// <summary>[IntRange]: <c>trial.SuggestInt</c>.</summary>
    Int,

    /// <summary>[Choices]: <c>trial.SuggestCategorical</c>.</summary>
    Choices,
}

/// <summary>One hyperparameter with a declared search space; numbers are C# literals ready to emit.</summary>
/// <param name="Name">The hyperparameter's name (the trial parameter name).</param>
/// <param name="RecordPropertyName">The property of the generated Hyperparameters record.</param>
/// <param name="Type">The hyperparameter's fully qualified type.</param>
/// <param name="Cast">The cast the suggested value needs ("(int)"), or empty.</param>
/// <param name="Low">The lower bound literal (Float, Int).</param>
/// <param name="High">The upper bound literal (Float, Int).</param>
/// <param name="Step">The step literal, or null (Float without step).</param>
/// <param name="ChoiceType">The element type of the choices array (Choices).</param>
/// <param name="Choices">The choice literals (Choices).</param>
/// <param name="StoredChoices">The choices as the storage keeps them: enums by name (Choices).</param>
internal sealed record SearchParameterModel(
    string Name,
    string RecordPropertyName,
    string Type,
    SearchKind Kind,
    string Cast,
    string Low,
    string High,
    string? Step,
    bool Log,
    string ChoiceType,
    EquatableArray<string> Choices,
    EquatableArray<string> StoredChoices);

/// <summary>A module's declared search space.</summary>
/// <param name="Parameters">The searched hyperparameters in record order.</param>
/// <param name="DefaultArguments">A literal per record property (in record order) when every hyperparameter has a compile-time default; empty otherwise.</param>
internal sealed record SearchSpaceModel(EquatableArray<SearchParameterModel> Parameters, EquatableArray<string> DefaultArguments);

/// <summary>The kinds of <see cref="SearchSpaceProblem"/>; each is one analyzer diagnostic.</summary>
internal enum SearchSpaceProblemKind
{
    TypeMismatch,
    EmptyRange,
    LogNotPositive,
    LogWithStep,
    DefaultOutside,
    NotAHyperparameter,
    SeveralSpaces,
    BadChoices,
}

/// <summary>A declared search space that does not fit; the module gets no sampling code, the analyzer reports it.</summary>
/// <param name="Kind">The rule that was broken.</param>
/// <param name="Detail">What is wrong and what is accepted.</param>
/// <param name="Location">The attribute, for the diagnostic (never cached by the generator).</param>
internal sealed record SearchSpaceProblem(SearchSpaceProblemKind Kind, string Detail, Location? Location);
