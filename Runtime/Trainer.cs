using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using Volt.Callbacks;
using Volt.Checkpoints;
using Volt.Data;
using Volt.Distributed;
using Volt.Logging;
using Volt.Loops;
using Volt.Precision;
using Volt.Strategies;

namespace Volt;

/// <summary>
/// Runs the generated loops of a module: <see cref="Fit{TTrainBatch}(IFitModule{TTrainBatch}, IDataLoader{TTrainBatch})"/>, <see cref="Validate{TBatch}"/>,
/// <see cref="Test{TBatch}"/> and <see cref="Predict{TBatch, TOutput}"/> (Lightning's <c>Trainer</c>).
/// The trainer owns the run directory (<c>runs/&lt;name&gt;/version_N</c>, created on first use and
/// shared by later calls), the loggers and the counters. Two trainers share nothing.
/// </summary>
public sealed class Trainer
{
    private readonly Dictionary<string, double> callbackMetrics = new(StringComparer.Ordinal);
    private readonly List<IMetricLogger> loggers = [];
    private readonly TextWriter console;
    private long shuffleSeed;
    private Strategy? strategy;
    private readonly IReadOnlyList<Callback> callbacks;
    private int currentEpoch;
    private long globalStep;

    /// <summary>Creates a trainer, validating <paramref name="options"/> first.</summary>
    /// <param name="options">The settings; the defaults when null.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message names each one and its allowed values.</exception>
    public Trainer(TrainerOptions? options = null)
        : this(options, Console.Out)
    {
    }

    /// <summary>Creates a trainer that prints progress to <paramref name="console"/>.</summary>
    /// <param name="options">The settings; the defaults when null.</param>
    /// <param name="console">Where progress goes.</param>
    public Trainer(TrainerOptions? options, TextWriter console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var requested = options ?? new TrainerOptions();
        requested.Validate();
        if (PrecisionNames.LegacyAliasNote(requested.Precision) is { } note)
        {
            console.WriteLine(note);
        }

        Options = requested.Resolve();
        this.console = console;
        shuffleSeed = Options.Seed ?? Random.Shared.NextInt64();

        // Lightning runs ModelCheckpoint callbacks after the others, so they see what the others did.
        var ordered = Options.Callbacks.Where(c => c is not ModelCheckpoint).Concat(Options.Callbacks.OfType<ModelCheckpoint>()).ToList();
        if (Options.EnableCheckpointing && !ordered.OfType<ModelCheckpoint>().Any())
        {
            ordered.Add(new ModelCheckpoint());
        }

        callbacks = ordered;
    }

    /// <summary>The callbacks in the order they run, including the default <see cref="ModelCheckpoint"/>.</summary>
    public IReadOnlyList<Callback> Callbacks => callbacks;

    /// <summary>The validated settings, with <see cref="TrainerOptions.FastDevRun"/> and <see cref="TrainerOptions.OverfitBatches"/> applied to the limits they replace.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The run directory, once a phase has created it (null before, or when logging is disabled).</summary>
    public string? LogDir { get; private set; }

    /// <summary>The 0-based epoch in progress, or the number of completed epochs after <c>Fit</c>.</summary>
    public int CurrentEpoch => currentEpoch;

    /// <summary>This process's rank among the processes training together (0 before the first phase and on one process).</summary>
    public int GlobalRank => strategy?.GlobalRank ?? 0;

    /// <summary>True on the process that writes files and prints: global rank 0 (Lightning's <c>is_global_zero</c>).</summary>
    public bool IsGlobalZero => GlobalRank == 0;

    /// <summary>The number of optimizer steps taken.</summary>
    public long GlobalStep => globalStep;

    /// <summary>The latest value of every logged metric (Lightning's <c>callback_metrics</c>), updated at epoch ends.</summary>
    public IReadOnlyDictionary<string, double> CallbackMetrics => callbackMetrics;

    /// <summary>Where this trainer prints progress (the <see cref="Tuning.Tuner"/> prints its findings there too).</summary>
    internal TextWriter Output => console;

    /// <summary>Trains a module without validation.</summary>
    /// <typeparam name="TTrainBatch">The training batch type.</typeparam>
    /// <param name="module">The module.</param>
    /// <param name="train">The training data.</param>
    public void Fit<TTrainBatch>(IFitModule<TTrainBatch> module, IDataLoader<TTrainBatch> train)
        => Fit(module, train, ckptPath: null);

    /// <summary>Trains a module without validation, resuming from a checkpoint.</summary>
    /// <typeparam name="TTrainBatch">The training batch type.</typeparam>
    /// <param name="module">The module.</param>
    /// <param name="train">The training data.</param>
    /// <param name="ckptPath">Resume from a checkpoint: <c>"last"</c>, <c>"best"</c> or a path; null starts fresh.</param>
    public void Fit<TTrainBatch>(IFitModule<TTrainBatch> module, IDataLoader<TTrainBatch> train, string? ckptPath)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(train);
        train = DataSharding.ForStrategy(train, EnsureStrategy(), "training");
        RunFit(module, ckptPath, train.BatchCount, hasValidation: false, context =>
        {
            using var fit = new FitLoop<TTrainBatch>(context, train);
            module.RunFit(fit);
        });
    }

    /// <summary>Trains a module, validating after every epoch when <paramref name="validation"/> is given.</summary>
    /// <typeparam name="TTrainBatch">The training batch type.</typeparam>
    /// <typeparam name="TValidationBatch">The validation batch type.</typeparam>
    /// <param name="module">The module.</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">The validation data, or null to skip validation.</param>
    /// <param name="ckptPath">Resume from a checkpoint: <c>"last"</c>, <c>"best"</c> or a path; null starts fresh.</param>
    public void Fit<TTrainBatch, TValidationBatch>(
        IFitModule<TTrainBatch, TValidationBatch> module,
        IDataLoader<TTrainBatch> train,
        IDataLoader<TValidationBatch>? validation = null,
        string? ckptPath = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(train);
        train = DataSharding.ForStrategy(train, EnsureStrategy(), "training");
        validation = validation is null ? null : DataSharding.ForStrategy(validation, EnsureStrategy(), "validation");
        RunFit(module, ckptPath, train.BatchCount, hasValidation: validation is not null, context =>
        {
            using var fit = new FitLoop<TTrainBatch>(context, train);
            using var validationLoop = validation is null
                ? null
                : new EvaluationLoop<TValidationBatch>(context, validation, RunPhase.Validation, Options.LimitValBatches, insideFit: true);
            module.RunFit(fit, validationLoop);
        });
    }

    private void RunFit(IVoltModule module, string? ckptPath, int trainBatchCount, bool hasValidation, Action<RunContext> run)
    {
        CheckValidationSchedule(trainBatchCount, hasValidation);

        // The checkpoint is found and verified before this fit creates a run directory, so a bad one leaves none behind.
        using var checkpoint = ckptPath is null ? null : CheckpointReader.Open(CheckpointLocator.Resolve(ckptPath, Options, RunName(module), callbacks));
        var createsRunDirectory = Options.EnableLogging && LogDir is null;
        var context = StartPhase(module, isFit: true);
        context.IsFitting = true;
        var restoreDeterminism = Options.Deterministic ? Determinism.IsEnabled : (bool?)null;
        using var interrupts = Options.HandleInterrupts ? new InterruptSignals(console) : null;
        context.Interrupts = interrupts;
        var started = false;
        try
        {
            if (Options.Deterministic)
            {
                Determinism.Set(true);
            }

            if (checkpoint is not null)
            {
                TrainingCheckpoint.RestoreForResume(checkpoint, context);
                ResumeReport.Write(checkpoint, context);

                // Close the file now: a resume into the same directory writes a new last.ckpt over it.
                checkpoint.Dispose();
            }

            context.ForEachCallback(static (callback, c) => callback.OnFitStart(c));
            started = true;
            run(context);
            context.ForEachCallback(static (callback, c) => callback.OnFitEnd(c));
        }
        catch (Exception error)
        {
            if (error is TrainingInterruptedException)
            {
                console.WriteLine(error.Message);
                console.Flush();
            }

            foreach (var callback in context.Callbacks)
            {
                callback.OnException(context.CallbackContext, error);
            }

            if (!started && createsRunDirectory)
            {
                DiscardRunDirectory();
            }

            throw;
        }
        finally
        {
            if (restoreDeterminism is { } previous)
            {
                Determinism.Set(previous);
            }

            context.IsFitting = false;
            context.Interrupts = null;
            context.PendingOptimizerStates = null;
            EndPhase(module, context);
        }
    }

    /// <summary>Removes the run directory a fit created but failed to start in (a bad resume): only Volt's own files, and only if nothing else is in it.</summary>
    private void DiscardRunDirectory()
    {
        if (LogDir is not { } directory)
        {
            return;
        }

        loggers.Clear();
        LogDir = null;
        try
        {
            foreach (var name in new[] { RunDirectory.MarkerFile, HyperparameterFile.FileName, ResumeReport.FileName, CsvLogger.FileName })
            {
                File.Delete(Path.Combine(directory, name));
            }

            if (!Directory.EnumerateFileSystemEntries(directory).Any())
            {
                Directory.Delete(directory);
            }
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Runs one validation epoch and returns its epoch metrics.</summary>
    /// <typeparam name="TBatch">The batch type.</typeparam>
    /// <param name="module">The module.</param>
    /// <param name="data">The validation data.</param>
    /// <returns>The epoch metrics by name.</returns>
    public IReadOnlyDictionary<string, double> Validate<TBatch>(IValidateModule<TBatch> module, IDataLoader<TBatch> data)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(data);
        return Evaluate(module, data, RunPhase.Validation, Options.LimitValBatches, module.RunValidate);
    }

    /// <summary>Runs one test epoch and returns its epoch metrics.</summary>
    /// <typeparam name="TBatch">The batch type.</typeparam>
    /// <param name="module">The module.</param>
    /// <param name="data">The test data.</param>
    /// <returns>The epoch metrics by name.</returns>
    public IReadOnlyDictionary<string, double> Test<TBatch>(ITestModule<TBatch> module, IDataLoader<TBatch> data)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(data);
        return Evaluate(module, data, RunPhase.Test, Options.LimitTestBatches, module.RunTest);
    }

    private IReadOnlyDictionary<string, double> Evaluate<TBatch>(
        IVoltModule module, IDataLoader<TBatch> data, RunPhase phase, BatchLimit limit, Action<EvaluationLoop<TBatch>> run)
    {
        data = DataSharding.ForStrategy(data, EnsureStrategy(), phase == RunPhase.Test ? "test" : "validation");
        var context = StartPhase(module, isFit: false);
        try
        {
            using var loop = new EvaluationLoop<TBatch>(context, data, phase, limit, insideFit: false);
            run(loop);
            return loop.Results;
        }
        finally
        {
            EndPhase(module, context);
        }
    }

    /// <summary>Runs the predict step over <paramref name="data"/> and returns one output per batch.</summary>
    /// <typeparam name="TBatch">The input batch type.</typeparam>
    /// <typeparam name="TOutput">The predict step's return type.</typeparam>
    /// <param name="module">The module.</param>
    /// <param name="data">The input data.</param>
    /// <returns>The outputs in batch order; their tensors belong to the caller.</returns>
    public IReadOnlyList<TOutput> Predict<TBatch, TOutput>(IPredictModule<TBatch, TOutput> module, IDataLoader<TBatch> data)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(data);
        var context = StartPhase(module, isFit: false);
        try
        {
            using var loop = new PredictLoop<TBatch, TOutput>(context, data);
            module.RunPredict(loop);
            return loop.Outputs;
        }
        finally
        {
            EndPhase(module, context);
        }
    }

    private RunContext StartPhase(IVoltModule module, bool isFit)
    {
        var strategy = EnsureStrategy();
        var device = strategy.Device;

        // Fit seeds torch's generators so dropout and other random ops repeat; module initialization
        // happened before, so seed it with Seeding.SeedEverything before constructing the module.
        if (isFit && Options.Seed is { } seed)
        {
            Seeding.SeedEverything(seed);
        }

        var precision = Options.PrecisionFactory?.Invoke(device) ?? PrecisionPlugin.Create(Options.Precision, device);
        strategy.Setup(module.Module);
        precision.SetupModule(module.Module);
        Metrics.ModuleMetrics.Prepare(module.Module, strategy.MetricStateSync);
        module.State.Device = strategy.Device;
        module.State.GlobalRank = strategy.GlobalRank;

        if (Options.EnableLogging && LogDir is null)
        {
            LogDir = RunDirectory.Create(Options.DefaultRootDir, RunName(module));
            loggers.Add(new CsvLogger(LogDir));
        }

        if (isFit && LogDir is not null)
        {
            module.SaveHyperparameters(LogDir);
        }

        IProgressReporter progress = Options.EnableProgressBar
            ? new ConsoleProgress(console, live: ReferenceEquals(console, Console.Out) && !Console.IsOutputRedirected)
            : new SilentProgress();
        return new RunContext(Options, strategy, precision, module, shuffleSeed, loggers, progress, callbackMetrics, callbacks, LogDir)
        {
            Messages = console,
            CurrentEpoch = currentEpoch,
            GlobalStep = globalStep,
        };
    }

    /// <summary>
    /// The strategy, created on the first phase (a ddp request started without a launcher relaunches the
    /// program under mpirun here). Several processes agree on rank 0's shuffle seed, so their shards split
    /// one order.
    /// </summary>
    private Strategy EnsureStrategy()
    {
        if (strategy is not null)
        {
            return strategy;
        }

        strategy = DistributedStrategies.Create(Options, () => DeviceSpec.Resolve(Options.Device));
        if (strategy.WorldSize > 1)
        {
            using var seed = TorchSharp.torch.tensor(shuffleSeed);
            strategy.Broadcast(seed, 0);
            shuffleSeed = seed.ToInt64();
        }

        return strategy;
    }

    /// <summary>Lightning's check: a batch-count ValCheckInterval must fit in an epoch when validation is per epoch.</summary>
    private void CheckValidationSchedule(int trainBatchCount, bool hasValidation)
    {
        var epochBatches = Options.LimitTrainBatches.Resolve(trainBatchCount);
        var validationEnabled = hasValidation && Options.LimitValBatches.Count != 0 && Options.LimitValBatches.Fraction != 0;
        if (validationEnabled && Options.CheckValEveryNEpoch is not null && Options.ValCheckInterval.Count is { } interval && interval > epochBatches)
        {
            throw new ArgumentException(
                $"ValCheckInterval is {interval} batches but an epoch has {epochBatches} training batches (LimitTrainBatches = {Options.LimitTrainBatches}); "
                + "use a smaller interval, a fraction, or CheckValEveryNEpoch = null to count batches across epochs.");
        }
    }

    private string RunName(IVoltModule module) => Options.RunName ?? module.Module.GetType().Name;

    private void EndPhase(IVoltModule module, RunContext context)
    {
        module.State.Metrics = null;
        currentEpoch = context.CurrentEpoch;
        globalStep = context.GlobalStep;
        foreach (var logger in loggers)
        {
            logger.Flush();
        }
    }
}
