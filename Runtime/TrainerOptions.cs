using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Volt;

/// <summary>
/// The settings of a <see cref="Trainer"/>, named after Lightning's <c>Trainer(...)</c> arguments.
/// Immutable; <see cref="Trainer"/> validates them before anything runs and names every bad option.
/// </summary>
public sealed record TrainerOptions
{
    /// <summary>
    /// Stop after this many epochs. Null means 1000 when <see cref="MaxSteps"/> is -1 and no epoch limit
    /// otherwise (Lightning's rule). Must be >= 1 when set.
    /// </summary>
    public int? MaxEpochs { get; init; }

    /// <summary>Stop after this many optimizer steps; -1 (the default) means no step limit.</summary>
    public long MaxSteps { get; init; } = -1;

    /// <summary>
    /// Seeds torch's random generators when <see cref="Trainer.Fit{TTrainBatch}(IFitModule{TTrainBatch}, Data.IDataLoader{TTrainBatch})"/> starts, and the shuffling of
    /// loaders created without their own seed. Initial weights are drawn earlier, when the module is built: call
    /// <see cref="Seeding.SeedEverything"/> before constructing it. Null leaves torch's generator alone and
    /// shuffles with a fresh random seed.
    /// </summary>
    public long? Seed { get; init; }

    /// <summary>The folder that holds <c>runs/&lt;name&gt;/version_N</c>; the current directory by default.</summary>
    public string DefaultRootDir { get; init; } = ".";

    /// <summary>The run name under <c>runs/</c>; the module's class name when null.</summary>
    public string? RunName { get; init; }

    /// <summary>Train on this many batches (an int) or this fraction (a double) of each epoch.</summary>
    public BatchLimit LimitTrainBatches { get; init; } = BatchLimit.All;

    /// <summary>Validate on this many batches or this fraction of the validation loader; 0 disables validation.</summary>
    public BatchLimit LimitValBatches { get; init; } = BatchLimit.All;

    /// <summary>Test on this many batches or this fraction of the test loader.</summary>
    public BatchLimit LimitTestBatches { get; init; } = BatchLimit.All;

    /// <summary>Predict on this many batches or this fraction of the loader.</summary>
    public BatchLimit LimitPredictBatches { get; init; } = BatchLimit.All;

    /// <summary>Write training step metrics to the loggers every N optimizer steps (Lightning's default 50); 0 disables step logging.</summary>
    public int LogEveryNSteps { get; init; } = 50;

    /// <summary>Print progress to the console (a live line on a terminal, one line per epoch otherwise).</summary>
    public bool EnableProgressBar { get; init; } = true;

    /// <summary>Write <c>metrics.csv</c> and <c>hparams.json</c> into the run directory.</summary>
    public bool EnableLogging { get; init; } = true;

    /// <summary>Where to train: "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// Callbacks, called in this order (<see cref="Callbacks.ModelCheckpoint"/> callbacks are moved last).
    /// Callbacks hold state: give each trainer its own instances.
    /// </summary>
    public IReadOnlyList<Callbacks.Callback> Callbacks { get; init; } = [];

    /// <summary>
    /// Adds a default <see cref="Callbacks.ModelCheckpoint"/> (best by the module's [Monitor], plus
    /// last.ckpt) when <see cref="Callbacks"/> has none. Default true.
    /// </summary>
    public bool EnableCheckpointing { get; init; } = true;

    /// <summary>The epoch limit after Lightning's defaulting rule, or null for no limit.</summary>
    internal int? EffectiveMaxEpochs => MaxEpochs ?? (MaxSteps == -1 ? 1000 : null);

    /// <summary>Checks every option and throws one exception that names each invalid option and its allowed values.</summary>
    /// <exception cref="ArgumentException">At least one option is invalid.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (MaxEpochs is { } maxEpochs && maxEpochs < 1)
        {
            problems.Add($"MaxEpochs is {maxEpochs}; use a value >= 1, or null for the default (1000, or unlimited when MaxSteps is set)");
        }

        if (MaxSteps < -1)
        {
            problems.Add($"MaxSteps is {MaxSteps}; use a value >= 0, or -1 for no step limit");
        }

        if (string.IsNullOrWhiteSpace(DefaultRootDir))
        {
            problems.Add("DefaultRootDir is empty; use a directory path such as \".\"");
        }

        if (RunName is not null && (RunName.Length == 0 || RunName.IndexOfAny(['/', '\\']) >= 0 || RunName is "." or ".."))
        {
            problems.Add($"RunName is \"{RunName}\"; use a non-empty folder name without '/' or '\\'");
        }

        AddLimitProblem(problems, nameof(LimitTrainBatches), LimitTrainBatches);
        AddLimitProblem(problems, nameof(LimitValBatches), LimitValBatches);
        AddLimitProblem(problems, nameof(LimitTestBatches), LimitTestBatches);
        AddLimitProblem(problems, nameof(LimitPredictBatches), LimitPredictBatches);
        if (LogEveryNSteps < 0)
        {
            problems.Add($"LogEveryNSteps is {LogEveryNSteps}; use a value >= 1, or 0 to disable step logging");
        }

        if (DeviceSpec.Problem(Device) is { } deviceProblem)
        {
            problems.Add($"Device: {deviceProblem}; allowed values are {DeviceSpec.AllowedValues}");
        }

        if (Callbacks is null || Callbacks.Any(c => c is null))
        {
            problems.Add("Callbacks is null or holds null; use a list of callback instances");
        }
        else
        {
            foreach (var key in Callbacks.GroupBy(c => c.StateKey, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key))
            {
                problems.Add($"Callbacks has several callbacks with the state key \"{key}\"; give each a distinct StateKey so checkpoints can tell their states apart");
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid TrainerOptions:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems));
        }
    }

    private static void AddLimitProblem(List<string> problems, string name, BatchLimit limit)
    {
        if (limit.Problem() is { } problem)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"{name} is {problem}"));
        }
    }
}
