using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.IO;
using System.Threading;
using Volt.Search.Pruners;
using Volt.Search.Samplers;
using Volt.Search.Storages;

namespace Volt.Search;

/// <summary>
/// A hyperparameter search (Optuna's <c>Study</c>): runs an objective on trials whose parameters the
/// sampler picks, records every trial in the storage (complete, pruned with its last reported value,
/// or failed with its error) and knows the best one. Several processes that open a study with the
/// same name on one SQL storage share its trials.
/// </summary>
public sealed class Study
{
    private readonly TextWriter log;

    /// <summary>Creates the study in the storage, or joins the existing one of the same name and direction.</summary>
    /// <param name="options">The settings; the defaults (in memory, TPE, median pruner, minimize) when null.</param>
    public Study(StudyOptions? options = null)
    {
        Options = options ?? new StudyOptions();
        if (string.IsNullOrWhiteSpace(Options.Name))
        {
            throw new ArgumentException("The study needs a name.", nameof(options));
        }

        if (Options.HeartbeatInterval is { } interval && interval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"The heartbeat interval is {interval}; it must be positive.", nameof(options));
        }

        Storage = Options.Storage ?? new InMemoryStudyStorage();
        Sampler = Options.Sampler ?? new TpeSampler();
        Pruner = Options.Pruner ?? new MedianPruner();
        log = Options.Log ?? TextWriter.Null;
        StudyId = Storage.CreateOrJoinStudy(Options.Name, Options.Direction);
    }

    /// <summary>The settings.</summary>
    public StudyOptions Options { get; }

    /// <summary>The study's name.</summary>
    public string Name => Options.Name;

    /// <summary>Minimize or maximize.</summary>
    public StudyDirection Direction => Options.Direction;

    /// <summary>Where the trials live.</summary>
    public IStudyStorage Storage { get; }

    /// <summary>The sampler.</summary>
    public ISampler Sampler { get; }

    /// <summary>The pruner.</summary>
    public IPruner Pruner { get; }

    /// <summary>The storage's id of the study.</summary>
    public long StudyId { get; }

    /// <summary>All trials of the study (of every worker), ordered by number.</summary>
    public IReadOnlyList<FrozenTrial> Trials => Storage.GetAllTrials(StudyId);

    /// <summary>The completed trial with the best value.</summary>
    /// <exception cref="InvalidOperationException">No trial has completed.</exception>
    public FrozenTrial BestTrial
    {
        get
        {
            var completed = Trials.Where(t => t.State == TrialState.Complete && t.Value is not null).ToList();
            if (completed.Count == 0)
            {
                throw new InvalidOperationException($"The study '{Name}' has no completed trial yet.");
            }

            return Direction == StudyDirection.Maximize ? completed.MaxBy(t => t.Value!.Value)! : completed.MinBy(t => t.Value!.Value)!;
        }
    }

    /// <summary>
    /// Runs <paramref name="trials"/> trials in this process, one after another (Optuna's
    /// <c>study.optimize(objective, n_trials)</c>); fewer when the sampler runs out of points.
    /// </summary>
    /// <param name="trials">How many trials this call runs.</param>
    /// <param name="objective">Builds, trains and scores a model for the trial's parameters.</param>
    public void Optimize(int trials, Func<Trial, double> objective)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        ArgumentNullException.ThrowIfNull(objective);
        for (var i = 0; i < trials && RunTrial(objective, Sampler.TrialLimit); i++)
        {
        }
    }

    /// <summary>
    /// Runs trials until the study holds <paramref name="studyTrials"/> trials in all, counting every
    /// worker's (the way to share a fixed budget among processes): taking a trial counts and inserts
    /// under one lock of the study row, so the total never overshoots and no trial runs twice.
    /// </summary>
    /// <param name="studyTrials">The study's total budget.</param>
    /// <param name="objective">Builds, trains and scores a model for the trial's parameters.</param>
    public void OptimizeUntil(int studyTrials, Func<Trial, double> objective)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(studyTrials);
        ArgumentNullException.ThrowIfNull(objective);
        var limit = Sampler.TrialLimit is { } samplerLimit ? Math.Min(samplerLimit, studyTrials) : studyTrials;
        while (RunTrial(objective, limit))
        {
        }
    }

    private bool RunTrial(Func<Trial, double> objective, int? maxTrials)
    {
        if (Options.HeartbeatInterval is { } interval)
        {
            foreach (var number in Storage.FailStaleTrials(StudyId, Options.GracePeriod ?? (2 * interval)))
            {
                log.WriteLine($"Trial {number} failed: its worker sent no heartbeat for {(Options.GracePeriod ?? (2 * interval)).TotalSeconds:0.###} s.");
            }
        }

        var handle = Storage.TryCreateTrial(StudyId, maxTrials);
        if (handle is null)
        {
            return false;
        }

        var trial = new Trial(this, handle, Storage.GetAllTrials(StudyId));
        using var heartbeat = Options.HeartbeatInterval is { } every
            ? new Timer(_ => Beat(handle), null, every, every)
            : null;
        double value;
        try
        {
            value = objective(trial);
        }
        catch (TrialPrunedException)
        {
            heartbeat?.Dispose();
            FinishPruned(trial);
            return true;
        }
        catch (Exception error)
        {
            heartbeat?.Dispose();
            var reason = $"{error.GetType().Name}: {error.Message}";
            Storage.SetTrialSystemAttribute(handle.TrialId, FrozenTrial.FailReasonKey, AttributeJson.Quote(reason));
            Storage.FinishTrial(handle.TrialId, TrialState.Fail, null);
            log.WriteLine($"Trial {handle.Number} failed: {reason}");
            if (!Options.ContinueAfterFailedTrial)
            {
                throw;
            }

            return true;
        }

        heartbeat?.Dispose();
        if (trial.IsPruned)
        {
            FinishPruned(trial);
        }
        else if (double.IsNaN(value))
        {
            Storage.SetTrialSystemAttribute(handle.TrialId, FrozenTrial.FailReasonKey, AttributeJson.Quote("The objective returned NaN."));
            Storage.FinishTrial(handle.TrialId, TrialState.Fail, null);
            log.WriteLine($"Trial {handle.Number} failed: the objective returned NaN.");
        }
        else
        {
            Storage.FinishTrial(handle.TrialId, TrialState.Complete, value);
            var best = BestTrial;
            log.WriteLine($"Trial {handle.Number} finished with value {Format(value)} and parameters {FormatParams(trial.Params)}. Best is trial {best.Number} with value {Format(best.Value!.Value)}.");
        }

        return true;
    }

    private void FinishPruned(Trial trial)
    {
        // Optuna keeps the last reported value of a pruned trial as its value when it is finite.
        double? value = trial.IntermediateValues.Count > 0 && double.IsFinite(trial.IntermediateValues.Last().Value) ? trial.IntermediateValues.Last().Value : null;
        Storage.FinishTrial(trial.Handle.TrialId, TrialState.Pruned, value);
        log.WriteLine($"Trial {trial.Number} pruned at step {(trial.IntermediateValues.Count > 0 ? trial.IntermediateValues.Last().Key : 0)}.");
    }

    private void Beat(TrialHandle handle)
    {
        try
        {
            Storage.RecordHeartbeat(handle.TrialId);
        }
        catch (Exception error)
        {
            // The trial goes on; if heartbeats keep failing, other workers will fail it after the grace period.
            log.WriteLine($"Trial {handle.Number}: recording a heartbeat failed: {error.Message}");
        }
    }

    internal static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    internal static string FormatParams(IReadOnlyDictionary<string, object?> parameters)
        => "{" + string.Join(", ", parameters.Select(p => $"{p.Key}: {FormatValue(p.Value)}")) + "}";

    private static string FormatValue(object? value) => value switch
    {
        null => "null",
        double number => Format(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
