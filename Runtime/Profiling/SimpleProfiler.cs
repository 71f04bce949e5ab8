using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Volt.Callbacks;

namespace Volt.Profiling;

/// <summary>
/// Lightning's <c>SimpleProfiler</c> (<c>src/lightning/pytorch/profilers/simple.py</c>): the count and
/// total duration of every timed action of one trainer call, and of every callback hook per callback,
/// from the moment it is created. The trainer creates one per call on global rank 0 when
/// <see cref="TrainerOptions.Profiler"/> is "simple"; otherwise there is none and every timing point is
/// a null check. Recording allocates only the first time a callback hook is seen.
/// </summary>
internal sealed class SimpleProfiler
{
    private readonly long startTimestamp = Stopwatch.GetTimestamp();
    private readonly Totals[] actions = new Totals[Enum.GetValues<ProfiledAction>().Length];
    private readonly Dictionary<(Callback Callback, string Hook), Totals> hooks = [];

    /// <param name="stage">The trainer call: "fit", "validate", "test" or "predict" (Lightning's <c>TrainerFn</c>).</param>
    /// <param name="moduleName">The module's class name, for the <c>[Module]</c> actions.</param>
    public SimpleProfiler(string stage, string moduleName)
    {
        Stage = stage;
        ModuleName = moduleName;
        for (var i = 0; i < actions.Length; i++)
        {
            actions[i] = new Totals();
        }
    }

    /// <summary>The trainer call being profiled.</summary>
    public string Stage { get; }

    /// <summary>The module's class name.</summary>
    public string ModuleName { get; }

    /// <summary>Records one run of <paramref name="action"/> that started at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) and ends now.</summary>
    public void Record(ProfiledAction action, long started) => actions[(int)action].Add(Stopwatch.GetTimestamp() - started);

    /// <summary>Records one call of <paramref name="callback"/>'s <paramref name="hook"/> that started at <paramref name="started"/> and ends now.</summary>
    public void RecordHook(Callback callback, string hook, long started)
    {
        var elapsed = Stopwatch.GetTimestamp() - started;
        if (!hooks.TryGetValue((callback, hook), out var totals))
        {
            totals = new Totals();
            hooks.Add((callback, hook), totals);
        }

        totals.Add(elapsed);
    }

    /// <summary>The report so far: every action that ran at least once, and the time since the profiler was created.</summary>
    /// <param name="outcome">How the call ended, for the title: null on success, else "failed" or "interrupted".</param>
    public ProfilerReport Report(string? outcome)
    {
        var rows = new List<ProfilerRow>();
        for (var i = 0; i < actions.Length; i++)
        {
            if (actions[i].Count > 0)
            {
                rows.Add(actions[i].ToRow(ActionName((ProfiledAction)i)));
            }
        }

        // A callback is named by its class, as users write it; by its StateKey (Lightning's name) only when two share a class.
        var classCounts = hooks.Keys.Select(key => key.Callback).Distinct().CountBy(callback => callback.GetType().Name).ToDictionary();
        foreach (var ((callback, hook), totals) in hooks)
        {
            var name = classCounts[callback.GetType().Name] > 1 ? callback.StateKey : callback.GetType().Name;
            rows.Add(totals.ToRow($"[Callback]{name}.{hook}"));
        }

        return new ProfilerReport(Stage, outcome, Seconds(Stopwatch.GetTimestamp() - startTimestamp), rows);
    }

    /// <summary>The name an action has in the report: Lightning's where Lightning has one, else Volt's in the same style.</summary>
    private string ActionName(ProfiledAction action) => action switch
    {
        ProfiledAction.TrainingEpoch => "run_training_epoch",
        ProfiledAction.TrainingBatch => "run_training_batch",
        ProfiledAction.TrainingDataFetch => "[FitLoop].train_dataloader_next",
        ProfiledAction.TransferToDevice => $"[Module]{ModuleName}.MoveBatchToDevice",
        ProfiledAction.TrainingStep => $"[Module]{ModuleName}.TrainingStep",
        ProfiledAction.Backward => $"[Module]{ModuleName}.Backward",
        ProfiledAction.OptimizerStep => $"[Module]{ModuleName}.OptimizerStep",
        ProfiledAction.ValidationEpoch => "run_validation_epoch",
        ProfiledAction.ValidationDataFetch => "[EvaluationLoop].val_next",
        ProfiledAction.ValidationStep => $"[Module]{ModuleName}.ValidationStep",
        ProfiledAction.TestEpoch => "run_test_epoch",
        ProfiledAction.TestDataFetch => "[EvaluationLoop].test_next",
        ProfiledAction.TestStep => $"[Module]{ModuleName}.TestStep",
        ProfiledAction.PredictEpoch => "run_predict_epoch",
        ProfiledAction.PredictDataFetch => "[PredictLoop].predict_next",
        ProfiledAction.PredictStep => $"[Module]{ModuleName}.PredictStep",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    /// <summary>The running count and duration of one action.</summary>
    private sealed class Totals
    {
        public long Count { get; private set; }

        private long elapsedTicks;

        public void Add(long ticks)
        {
            Count++;
            elapsedTicks += ticks;
        }

        public ProfilerRow ToRow(string action) => new(action, Count, Seconds(elapsedTicks));
    }

    private static double Seconds(long stopwatchTicks) => (double)stopwatchTicks / Stopwatch.Frequency;
}
