using System;
using System.Collections.Generic;

namespace Volt.Search.Storages;

/// <summary>The trial a worker took: its storage id and its number in the study.</summary>
/// <param name="TrialId">The storage's id.</param>
/// <param name="Number">The 0-based number within the study.</param>
public sealed record TrialHandle(long TrialId, int Number);

/// <summary>
/// Where a study's trials live (Optuna's <c>BaseStorage</c>). Every method is safe to call from
/// several threads; the SQL storages are also safe across processes and machines: taking a trial
/// and finishing one lock rows in the database.
/// </summary>
public interface IStudyStorage : IDisposable
{
    /// <summary>Creates the study, or joins it when it exists with the same direction.</summary>
    /// <returns>The study id.</returns>
    /// <exception cref="InvalidOperationException">The study exists with the other direction.</exception>
    long CreateOrJoinStudy(string studyName, StudyDirection direction);

    /// <summary>
    /// Takes a new RUNNING trial numbered after all trials of the study so far, or returns null when
    /// the study already holds <paramref name="maxTrials"/> trials. The count and the insert happen
    /// under one lock of the study, so concurrent workers never exceed the budget.
    /// </summary>
    TrialHandle? TryCreateTrial(long studyId, int? maxTrials);

    /// <summary>Stores a sampled parameter (internal representation) and its distribution.</summary>
    void SetTrialParam(long trialId, string name, double internalValue, Distribution distribution);

    /// <summary>Stores an intermediate value; an existing value at the same step is kept.</summary>
    void SetTrialIntermediateValue(long trialId, int step, double value);

    /// <summary>Stores a system attribute (JSON text), replacing an earlier value.</summary>
    void SetTrialSystemAttribute(long trialId, string key, string valueJson);

    /// <summary>Finishes a RUNNING trial.</summary>
    /// <exception cref="InvalidOperationException">The trial is no longer RUNNING (for example a stale-trial sweep failed it).</exception>
    void FinishTrial(long trialId, TrialState state, double? value);

    /// <summary>All trials of the study, ordered by number.</summary>
    IReadOnlyList<FrozenTrial> GetAllTrials(long studyId);

    /// <summary>Records that the worker running <paramref name="trialId"/> is alive.</summary>
    void RecordHeartbeat(long trialId);

    /// <summary>Marks FAIL every RUNNING trial whose last heartbeat is older than <paramref name="gracePeriod"/>.</summary>
    /// <returns>The numbers of the trials it failed.</returns>
    IReadOnlyList<int> FailStaleTrials(long studyId, TimeSpan gracePeriod);
}
