using System;
using System.Collections.Generic;
using System.Linq;
using Volt.Search.Pruners;
using Volt.Search.Samplers;
using Volt.Search.Storages;

namespace Volt.Search;

/// <summary>A running trial of a <see cref="Study"/>; objectives get one and call its Suggest methods.</summary>
public sealed class Trial : ITrial
{
    private readonly Study study;
    private readonly SamplingContext sampling;
    private readonly Dictionary<string, (double Value, Distribution Distribution)> suggested = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, double> reported = [];

    internal Trial(Study study, TrialHandle handle, IReadOnlyList<FrozenTrial> history)
    {
        this.study = study;
        Handle = handle;
        sampling = new SamplingContext(study.Direction, history, handle.Number);
    }

    /// <inheritdoc/>
    public int Number => Handle.Number;

    /// <summary>The parameters suggested so far, as the objective got them.</summary>
    public IReadOnlyDictionary<string, object?> Params
        => suggested.ToDictionary(p => p.Key, p => p.Value.Distribution.ToExternal(p.Value.Value), StringComparer.Ordinal);

    /// <summary>The values reported so far by step.</summary>
    public IReadOnlyDictionary<int, double> IntermediateValues => reported;

    /// <summary>True once a pruning callback decided to stop this trial; the study then records it as PRUNED.</summary>
    public bool IsPruned { get; private set; }

    internal TrialHandle Handle { get; }

    /// <inheritdoc/>
    public double SuggestFloat(string name, double low, double high, bool log = false, double? step = null)
    {
        var distribution = new FloatDistribution(low, high, log, step);
        distribution.Validate(name);
        return Suggest(name, distribution);
    }

    /// <inheritdoc/>
    public long SuggestInt(string name, long low, long high, long step = 1, bool log = false)
    {
        var distribution = new IntDistribution(low, high, log, step);
        distribution.Validate(name);
        return (long)Math.Round(Suggest(name, distribution));
    }

    /// <inheritdoc/>
    public T SuggestCategorical<T>(string name, IReadOnlyList<T> choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        var asStored = choices.Select(c => Stored(c)).ToList();
        var index = (int)Suggest(name, new CategoricalDistribution(asStored));
        return choices[index];
    }

    /// <inheritdoc/>
    public void Report(double value, int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (reported.TryAdd(step, value))
        {
            study.Storage.SetTrialIntermediateValue(Handle.TrialId, step, value);
        }
    }

    /// <inheritdoc/>
    public bool ShouldPrune()
    {
        var trials = study.Storage.GetAllTrials(study.StudyId);
        var self = trials.First(t => t.TrialId == Handle.TrialId);
        return study.Pruner.Prune(new PruningContext(study.Direction, trials, self, study.Storage));
    }

    /// <summary>Marks the trial pruned: the objective may return normally (after a trainer stop) and the study records PRUNED.</summary>
    public void MarkPruned() => IsPruned = true;

    /// <summary>A choice as the storage keeps it: enums by name, integers as long, other numbers as double.</summary>
    private static object? Stored(object? choice) => choice switch
    {
        Enum member => member.ToString(),
        byte or sbyte or short or ushort or int or uint or long => Convert.ToInt64(choice, System.Globalization.CultureInfo.InvariantCulture),
        float or decimal => Convert.ToDouble(choice, System.Globalization.CultureInfo.InvariantCulture),
        _ => choice,
    };

    /// <summary>Suggests a value for a parameter from a declared <see cref="SearchParameter"/>.</summary>
    internal double Suggest(string name, Distribution distribution)
    {
        if (suggested.TryGetValue(name, out var earlier))
        {
            return earlier.Distribution == distribution
                ? earlier.Value
                : throw new ArgumentException($"'{name}' was suggested from {earlier.Distribution} before and now from {distribution}; one name, one distribution.", nameof(name));
        }

        var value = study.Sampler.Sample(sampling, name, distribution);
        if (!distribution.Contains(value))
        {
            throw new InvalidOperationException($"The sampler {study.Sampler.GetType().Name} gave '{name}' the value {value}, outside {distribution}.");
        }

        suggested[name] = (value, distribution);
        study.Storage.SetTrialParam(Handle.TrialId, name, value, distribution);
        return value;
    }
}
