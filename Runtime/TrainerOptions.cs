using System;
using System.Collections.Generic;
using System.Globalization;

namespace Volt;

/// <summary>
/// The settings of a <see cref="Trainer"/>, named after Lightning's <c>Trainer(...)</c> arguments.
/// Plain values only (numbers, strings, booleans, <see cref="BatchLimit"/>), so a command line or a
/// configuration file can fill them; callbacks, loggers and a strategy instance are objects with state and
/// go to the <see cref="Trainer"/> constructor instead. Immutable; <see cref="Trainer"/> validates them
/// before anything runs and names every bad option.
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
    /// <see cref="Seeding.SeedEverything"/> before constructing it. Null leaves torch's generator unseeded and
    /// draws the shuffling seed from it when the trainer first runs, so after
    /// <see cref="Seeding.SeedEverything"/> the order still repeats (as under Lightning's <c>seed_everything</c>).
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

    /// <summary>
    /// How often the progress display refreshes, in refreshes per second (Lightning's RichProgressBar
    /// <c>refresh_rate</c>): null means 10 per second for the live bars on a terminal and one plain line
    /// every 30 seconds when the output is redirected or CI is set; a value applies to both.
    /// </summary>
    public double? ProgressRefreshRate { get; init; }

    /// <summary>
    /// Print the module's layers and parameter counts when fitting starts (Lightning's ModelSummary): a
    /// table on a terminal, plain text otherwise, on the trainer's console.
    /// </summary>
    public bool EnableModelSummary { get; init; } = true;

    /// <summary>
    /// At the end of a fit, draw the run's curves from its <c>metrics.csv</c> as PNG files in the run
    /// directory (<c>loss.png</c>, <c>accuracy.png</c>, <c>learning_rate.png</c>; see <see cref="Logging.TrainingCurves"/>).
    /// Needs the CSV logger; without a <c>metrics.csv</c> there is nothing to draw.
    /// </summary>
    public bool PlotCurves { get; init; } = true;

    /// <summary>
    /// Time every hook and phase of each trainer call (Lightning's <c>profiler</c>): "simple" (Lightning's
    /// <c>SimpleProfiler</c>) times data fetching, the transfer to the device, the steps, backward, the
    /// optimizer step, every callback hook and the epochs, and at the end of the call (also a failed or
    /// interrupted one) prints a table of mean duration, call count, total time and share of the call on
    /// global rank 0 and writes it to <c>{stage}-profiler.txt</c> in the run directory. Null or "none"
    /// (the default) turns it off; the timing points then cost a null check. See docs/logging.md#profiler.
    /// </summary>
    public string? Profiler { get; init; }

    /// <summary>Create the run directory, write <c>hparams.json</c> into it and call the trainer's loggers (by default a <see cref="Logging.TensorBoardLogger"/> and a <see cref="Logging.CsvLogger"/> writing <c>metrics.csv</c>); false turns all of it off.</summary>
    public bool EnableLogging { get; init; } = true;

    /// <summary>Where to train: "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// How processes train together (Lightning's <c>strategy</c>): "auto" (the default: "ddp" when
    /// <see cref="Devices"/> or <see cref="NumNodes"/> is above 1 or a launcher started several processes,
    /// else "single"), "single" (this process, one device) or "ddp" (distributed data parallel).
    /// </summary>
    public string Strategy { get; init; } = "auto";

    /// <summary>The number of processes (one device each) per node (Lightning's <c>devices</c>). Default 1.</summary>
    public int Devices { get; init; } = 1;

    /// <summary>The number of nodes (machines) training together (Lightning's <c>num_nodes</c>). Default 1.</summary>
    public int NumNodes { get; init; } = 1;

    /// <summary>
    /// Lightning's <c>sync_batchnorm</c>: batch-norm statistics over the global batch of all ranks. Not
    /// supported (TorchSharp modules call their BatchNorm fields, so the layers cannot be swapped from
    /// outside; see docs/distributed.md); true fails validation. Default false.
    /// </summary>
    public bool SyncBatchNorm { get; init; }

    /// <summary>
    /// Numeric precision (Lightning's <c>precision</c>): "32-true" (default), "bf16-mixed" (CPU and CUDA),
    /// "16-mixed" (CUDA, with a grad scaler), "bf16-true", "16-true" or "64-true" (parameters and inputs cast).
    /// Lightning's aliases "32", "64", "16" (= "16-mixed") and "bf16" (= "bf16-mixed") are accepted; the
    /// trainer's <see cref="Trainer.Options"/> hold the name they stand for. See docs/precision.md.
    /// </summary>
    public string Precision { get; init; } = "32-true";

    /// <summary>Run at least this many epochs before an early-stopping request is honoured. Default 0.</summary>
    public int MinEpochs { get; init; }

    /// <summary>
    /// Accumulate gradients over this many batches before each optimizer step (Lightning's
    /// <c>accumulate_grad_batches</c>); each loss is divided by it, and the last partial window of an
    /// epoch still steps. Default 1.
    /// </summary>
    public int AccumulateGradBatches { get; init; } = 1;

    /// <summary>Clip gradients once per optimizer step at this value; null or 0 turns clipping off.</summary>
    public double? GradientClipVal { get; init; }

    /// <summary>How <see cref="GradientClipVal"/> clips: the total L2 norm (default) or each value.</summary>
    public GradientClipAlgorithm GradientClipAlgorithm { get; init; } = GradientClipAlgorithm.Norm;

    /// <summary>
    /// When to validate within an epoch: a fraction of the epoch's batches (1.0, the default, validates
    /// after the last batch; 0.25 four times an epoch) or every N training batches.
    /// </summary>
    public BatchLimit ValCheckInterval { get; init; } = BatchLimit.All;

    /// <summary>Validate only in every N-th epoch (1, the default, is every epoch); null counts <see cref="ValCheckInterval"/> batches across epochs.</summary>
    public int? CheckValEveryNEpoch { get; init; } = 1;

    /// <summary>Validation batches run before training to catch bugs early (metrics discarded); -1 runs all, 0 none. Default 2.</summary>
    public int NumSanityValSteps { get; init; } = 2;

    /// <summary>
    /// Debug run: N batches of each phase (1 epoch, at most N steps), no sanity check, no loggers, no
    /// checkpoints and no early stopping (the trainer leaves out its <see cref="Callbacks.ModelCheckpoint"/>
    /// and <see cref="Callbacks.EarlyStopping"/> callbacks), so nothing is written to disk. 0 (default) turns it off.
    /// </summary>
    public int FastDevRun { get; init; }

    /// <summary>Train and validate on the same first batches every epoch (a count or a fraction), to check that the model can overfit. Default 0 (off).</summary>
    public BatchLimit OverfitBatches { get; init; } = BatchLimit.Batches(0);

    /// <summary>Make libtorch use deterministic algorithms during fitting (restored afterwards).</summary>
    public bool Deterministic { get; init; }

    /// <summary>
    /// Adds a default <see cref="Callbacks.ModelCheckpoint"/> (best by the module's [Monitor], plus
    /// last.ckpt) when the trainer's callbacks have none. Default true.
    /// </summary>
    public bool EnableCheckpointing { get; init; } = true;

    /// <summary>
    /// Stop fitting with a <see cref="NonFiniteTrainingException"/> (naming epoch, batch and global step)
    /// when a training loss is NaN or infinite, before its backward pass (Ignite's <c>TerminateOnNan</c>).
    /// Default true; the check reads the loss once per step. Whatever this says, a checkpoint is never
    /// written from non-finite weights.
    /// </summary>
    public bool StopOnNonFiniteLoss { get; init; } = true;

    /// <summary>
    /// Handle SIGINT (Ctrl+C) and SIGTERM during <c>Fit</c>: finish the current batch, write
    /// <c>last.ckpt</c> at the exact position, run the callbacks' <c>OnException</c>, flush the loggers and
    /// throw <see cref="TrainingInterruptedException"/>. A second SIGINT ends the process at once. Default true.
    /// </summary>
    public bool HandleInterrupts { get; init; } = true;

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

        if (Volt.Precision.PrecisionNames.Problem(Precision) is { } precisionProblem)
        {
            problems.Add(precisionProblem);
        }

        if (MinEpochs < 0)
        {
            problems.Add($"MinEpochs is {MinEpochs}; use a value >= 0");
        }

        if (MaxEpochs is { } max && max >= 1 && MinEpochs > max)
        {
            problems.Add($"MinEpochs ({MinEpochs}) is larger than MaxEpochs ({max})");
        }

        if (AccumulateGradBatches < 1)
        {
            problems.Add($"AccumulateGradBatches is {AccumulateGradBatches}; use a value >= 1 (1 means no accumulation)");
        }

        if (GradientClipVal is { } clip && (double.IsNaN(clip) || double.IsInfinity(clip) || clip < 0))
        {
            problems.Add($"GradientClipVal is {clip.ToString(CultureInfo.InvariantCulture)}; use a positive number, or null/0 for no clipping");
        }

        if (!Enum.IsDefined(GradientClipAlgorithm))
        {
            problems.Add($"GradientClipAlgorithm is {(int)GradientClipAlgorithm}; use Norm or Value");
        }

        AddLimitProblem(problems, nameof(ValCheckInterval), ValCheckInterval);
        if (ValCheckInterval.Count == 0 || ValCheckInterval.Fraction == 0)
        {
            problems.Add("ValCheckInterval is 0; use a fraction in (0.0, 1.0] or a batch count >= 1 (disable validation with LimitValBatches = 0)");
        }

        if (ValCheckInterval.Fraction is { } fraction && fraction != 1.0 && CheckValEveryNEpoch is null)
        {
            problems.Add("ValCheckInterval is a fraction but CheckValEveryNEpoch is null; a fraction of an epoch needs epoch-based validation (set CheckValEveryNEpoch or give ValCheckInterval as a batch count)");
        }

        if (CheckValEveryNEpoch is { } everyN && everyN < 1)
        {
            problems.Add($"CheckValEveryNEpoch is {everyN}; use a value >= 1, or null to count ValCheckInterval batches across epochs");
        }

        if (NumSanityValSteps < -1)
        {
            problems.Add($"NumSanityValSteps is {NumSanityValSteps}; use a value >= 0, or -1 for all validation batches");
        }

        if (FastDevRun < 0)
        {
            problems.Add($"FastDevRun is {FastDevRun}; use a batch count >= 1, or 0 to turn it off");
        }

        AddLimitProblem(problems, nameof(OverfitBatches), OverfitBatches);

        if (Strategy is not ("auto" or "single" or "ddp"))
        {
            problems.Add($"Strategy is \"{Strategy}\"; allowed values are \"auto\", \"single\" and \"ddp\"");
        }

        if (Devices < 1)
        {
            problems.Add($"Devices is {Devices}; use a process count >= 1");
        }

        if (NumNodes < 1)
        {
            problems.Add($"NumNodes is {NumNodes}; use a node count >= 1");
        }

        if (SyncBatchNorm)
        {
            problems.Add("SyncBatchNorm is true, but Volt cannot convert a TorchSharp module's BatchNorm layers to synchronized ones (a module calls its BatchNorm fields, which a conversion cannot replace; see docs/distributed.md#syncbatchnorm); leave it false");
        }

        if (Strategy == "single" && (Devices > 1 || NumNodes > 1))
        {
            problems.Add($"Strategy is \"single\" but Devices is {Devices} and NumNodes is {NumNodes}; \"single\" trains one process on one device (set Devices = 1 and NumNodes = 1, or use Strategy = \"ddp\" or \"auto\")");
        }

        if (DeviceSpec.Problem(Device) is { } deviceProblem)
        {
            problems.Add($"Device: {deviceProblem}; allowed values are {DeviceSpec.AllowedValues}");
        }

        if (Profiling.ProfilerNames.Problem(Profiler) is { } profilerProblem)
        {
            problems.Add(profilerProblem);
        }

        problems.AddRange(Logging.ObservabilityOptions.Problems(this));
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid TrainerOptions:" + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems));
        }
    }

    /// <summary>
    /// The options as the loops use them: FastDevRun and OverfitBatches replace the limits they
    /// override (Lightning's rules) and a precision alias becomes the name it stands for; everything
    /// else is unchanged.
    /// </summary>
    internal TrainerOptions Resolve()
    {
        var resolved = this;
        if (OverfitBatches.Count is > 0 || OverfitBatches.Fraction is > 0)
        {
            resolved = resolved with { LimitTrainBatches = OverfitBatches, LimitValBatches = OverfitBatches };
        }

        if (FastDevRun > 0)
        {
            var overfitting = resolved != this;
            resolved = resolved with
            {
                LimitTrainBatches = overfitting ? resolved.LimitTrainBatches : FastDevRun,
                LimitValBatches = overfitting ? resolved.LimitValBatches : FastDevRun,
                LimitTestBatches = FastDevRun,
                LimitPredictBatches = FastDevRun,
                MaxSteps = FastDevRun,
                MaxEpochs = 1,
                NumSanityValSteps = 0,
                ValCheckInterval = BatchLimit.All,
                CheckValEveryNEpoch = 1,
                EnableLogging = false,
                EnableCheckpointing = false,
            };
        }

        var precision = Volt.Precision.PrecisionNames.Resolve(Precision)!;
        return precision == Precision ? resolved : resolved with { Precision = precision };
    }

    private static void AddLimitProblem(List<string> problems, string name, BatchLimit limit)
    {
        if (limit.Problem(name) is { } problem)
        {
            problems.Add(problem);
        }
    }
}

/// <summary>How gradients are clipped (Lightning's <c>gradient_clip_algorithm</c>).</summary>
public enum GradientClipAlgorithm
{
    /// <summary>Scale all gradients so their total L2 norm is at most the clip value.</summary>
    Norm,

    /// <summary>Clamp each gradient value into [-clip value, clip value].</summary>
    Value,
}
