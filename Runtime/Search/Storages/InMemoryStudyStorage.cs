using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Search.Storages;

/// <summary>A storage that lives only as long as the process (Optuna's <c>InMemoryStorage</c>); heartbeats are not needed.</summary>
public sealed class InMemoryStudyStorage : IStudyStorage
{
    private readonly object gate = new();
    private readonly List<(string Name, StudyDirection Direction)> studies = [];
    private readonly List<MutableTrial> trials = [];

    /// <inheritdoc/>
    public long CreateOrJoinStudy(string studyName, StudyDirection direction)
    {
        lock (gate)
        {
            var index = studies.FindIndex(s => s.Name == studyName);
            if (index < 0)
            {
                studies.Add((studyName, direction));
                return studies.Count;
            }

            return studies[index].Direction == direction
                ? index + 1
                : throw new InvalidOperationException($"The study '{studyName}' exists with direction {studies[index].Direction}, not {direction}.");
        }
    }

    /// <inheritdoc/>
    public TrialHandle? TryCreateTrial(long studyId, int? maxTrials)
    {
        lock (gate)
        {
            var count = trials.Count(t => t.StudyId == studyId);
            if (maxTrials is { } max && count >= max)
            {
                return null;
            }

            var trial = new MutableTrial(trials.Count + 1, studyId, count) { Started = DateTime.Now };
            trials.Add(trial);
            return new TrialHandle(trial.TrialId, trial.Number);
        }
    }

    /// <inheritdoc/>
    public void SetTrialParam(long trialId, string name, double internalValue, Distribution distribution)
    {
        lock (gate)
        {
            var trial = Find(trialId);
            trial.Params[name] = internalValue;
            trial.Distributions[name] = distribution;
        }
    }

    /// <inheritdoc/>
    public void SetTrialIntermediateValue(long trialId, int step, double value)
    {
        lock (gate)
        {
            Find(trialId).IntermediateValues.TryAdd(step, value);
        }
    }

    /// <inheritdoc/>
    public void SetTrialSystemAttribute(long trialId, string key, string valueJson)
    {
        lock (gate)
        {
            Find(trialId).SystemAttributes[key] = valueJson;
        }
    }

    /// <inheritdoc/>
    public void FinishTrial(long trialId, TrialState state, double? value)
    {
        lock (gate)
        {
            var trial = Find(trialId);
            if (trial.State != TrialState.Running)
            {
                throw new InvalidOperationException($"Trial {trial.Number} is already {trial.State}; it cannot become {state}.");
            }

            trial.State = state;
            trial.Value = value;
            trial.Completed = DateTime.Now;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<FrozenTrial> GetAllTrials(long studyId)
    {
        lock (gate)
        {
            return trials.Where(t => t.StudyId == studyId).OrderBy(t => t.Number).Select(t => t.Freeze()).ToList();
        }
    }

    /// <inheritdoc/>
    public void RecordHeartbeat(long trialId)
    {
    }

    /// <inheritdoc/>
    public IReadOnlyList<int> FailStaleTrials(long studyId, TimeSpan gracePeriod) => [];

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private MutableTrial Find(long trialId)
        => trials.FirstOrDefault(t => t.TrialId == trialId) ?? throw new ArgumentException($"There is no trial with id {trialId}.", nameof(trialId));

    private sealed class MutableTrial(long trialId, long studyId, int number)
    {
        public long TrialId { get; } = trialId;

        public long StudyId { get; } = studyId;

        public int Number { get; } = number;

        public TrialState State { get; set; } = TrialState.Running;

        public double? Value { get; set; }

        public DateTime? Started { get; init; }

        public DateTime? Completed { get; set; }

        public Dictionary<string, double> Params { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Distribution> Distributions { get; } = new(StringComparer.Ordinal);

        public SortedDictionary<int, double> IntermediateValues { get; } = [];

        public Dictionary<string, string> SystemAttributes { get; } = new(StringComparer.Ordinal);

        public FrozenTrial Freeze() => new(
            TrialId,
            Number,
            State,
            Value,
            new Dictionary<string, double>(Params, StringComparer.Ordinal),
            new Dictionary<string, Distribution>(Distributions, StringComparer.Ordinal),
            new SortedDictionary<int, double>(IntermediateValues),
            new Dictionary<string, string>(SystemAttributes, StringComparer.Ordinal),
            Started,
            Completed);
    }
}
