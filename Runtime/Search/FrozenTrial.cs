using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Search;

/// <summary>A trial as the storage holds it (Optuna's <c>FrozenTrial</c>).</summary>
/// <param name="TrialId">The storage's id of the trial (unique across studies).</param>
/// <param name="Number">The 0-based number within the study.</param>
/// <param name="State">The state.</param>
/// <param name="Value">The objective value (of a pruned trial: its last intermediate value), or null.</param>
/// <param name="InternalParams">Parameter values in the internal representation (choice index for categoricals).</param>
/// <param name="Distributions">The distribution each parameter was sampled from.</param>
/// <param name="IntermediateValues">Reported values by step.</param>
/// <param name="SystemAttributes">Storage-level attributes as JSON text (fail_reason, completed_rung_k, ...).</param>
/// <param name="Started">When the trial started (local time, as Optuna stores it), or null.</param>
/// <param name="Completed">When the trial finished, or null.</param>
public sealed record FrozenTrial(
    long TrialId,
    int Number,
    TrialState State,
    double? Value,
    IReadOnlyDictionary<string, double> InternalParams,
    IReadOnlyDictionary<string, Distribution> Distributions,
    IReadOnlyDictionary<int, double> IntermediateValues,
    IReadOnlyDictionary<string, string> SystemAttributes,
    DateTime? Started,
    DateTime? Completed)
{
    /// <summary>The system attribute that holds a failed trial's error (Optuna's key).</summary>
    public const string FailReasonKey = "fail_reason";

    /// <summary>The parameters as the objective saw them (double, long, or the chosen value).</summary>
    public IReadOnlyDictionary<string, object?> Params
        => InternalParams.ToDictionary(p => p.Key, p => Distributions[p.Key].ToExternal(p.Value), StringComparer.Ordinal);

    /// <summary>The last step with a reported value, or null.</summary>
    public int? LastStep => IntermediateValues.Count == 0 ? null : IntermediateValues.Keys.Max();

    /// <summary>Why the trial failed (the exception's type and message), or null.</summary>
    public string? FailReason
        => SystemAttributes.TryGetValue(FailReasonKey, out var json) ? AttributeJson.Unquote(json) : null;
}
