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
using Volt.Profiling;
using Volt.Strategies;

namespace Volt;

/// <summary>
/// Runs the generated loops of a module: <see cref="Fit{TTrainBatch}(IFitModule{TTrainBatch}, IDataLoader{TTrainBatch})"/>, <see cref="Validate{TBatch}"/>,
/// <see cref="Test{TBatch}"/> and <see cref="Predict{TBatch, TOutput}"/> (Lightning's <c>Trainer</c>).
/// The trainer owns the run directory (<c>runs/&lt;name&gt;/version_N</c>, created on first use and
/// shared by later calls), the counters, and the strategy it created. Two trainers share nothing.
/// </summary>
/// <remarks>
/// Every side effect that must happen once per run goes through the strategy's global rank 0: creating
/// the run directory (its path is broadcast, so every rank's <see cref="LogDir"/> is the same),
/// <c>hparams.json</c>, the loggers, progress output and checkpoint files. Stop requests are combined
/// across processes, so all ranks stop together.
/// </remarks>
public sealed class Trainer : IDisposable
{
    private readonly Dictionary<string, double> callbackMetrics = new(StringComparer.Ordinal);
    private readonly TrainerLoggers loggers;
    private readonly TextWriter console;
    private long? shuffleSeed;
    private readonly IReadOnlyList<Callback> callbacks;
    private readonly LoopProgress loopProgress = new();
    private readonly bool ownsStrategy;
    private bool disposed;

    /// <summary>Creates a trainer, validating <paramref name="options"/> and <paramref name="callbacks"/> first.</summary>
    /// <param name="options">The settings; the defaults when null.</param>
    /// <param name="callbacks">
    /// Callbacks, called in this order (<see cref="ModelCheckpoint"/> callbacks are moved last; a default one
    /// is added when <see cref="TrainerOptions.EnableCheckpointing"/> is on and none is given). Callbacks hold
    /// state: give each trainer its own instances. Null means none.
    /// </param>
    /// <param name="loggers">
    /// Where metrics go, called on global rank 0 only. Null means the default list (a <see cref="TensorBoardLogger"/>
    /// writing event files, then a <see cref="CsvLogger"/> writing <c>metrics.csv</c>); an empty list means none. <see cref="TrainerOptions.EnableLogging"/> false
    /// (or a <see cref="TrainerOptions.FastDevRun"/>) turns every logger off.
    /// </param>
    /// <param name="strategy">
    /// How processes train together. Null creates the strategy <see cref="TrainerOptions.Strategy"/>,
    /// <see cref="TrainerOptions.Devices"/> and <see cref="TrainerOptions.NumNodes"/> ask for, on
    /// <see cref="TrainerOptions.Device"/>; the trainer disposes it. A given instance wins over those
    /// options (and its device over <see cref="TrainerOptions.Device"/>) and stays the caller's to dispose.
    /// </param>
    /// <param name="console">Where progress and messages go on global rank 0; <see cref="Console.Out"/> when null. Other ranks print nothing.</param>
    /// <exception cref="ArgumentException">An option or a callback is invalid; the message names each one and its allowed values.</exception>
    public Trainer(
        TrainerOptions? options = null,
        IEnumerable<Callback>? callbacks = null,
        IEnumerable<IMetricLogger>? loggers = null,
        Strategy? strategy = null,
        TextWriter? console = null)
    {
        var requested = options ?? new TrainerOptions();
        requested.Validate();
        var resolved = requested.Resolve();
        this.callbacks = TrainerCallbacks.Arrange(callbacks, resolved);
        var loggerList = loggers?.ToList() ?? [new TensorBoardLogger(), new CsvLogger()];
        if (loggerList.Any(l => l is null))
        {
            throw new ArgumentException("The loggers hold null; pass logger instances, an empty list for none, or null for the defaults (TensorBoard and CSV).", nameof(loggers));
        }

        Options = resolved;
        Strategy = strategy ?? StrategySelector.Create(resolved);
        ownsStrategy = strategy is null;
        var isGlobalZero = Strategy.IsGlobalZero;
        this.console = isGlobalZero ? console ?? Console.Out : TextWriter.Null;
        this.loggers = new TrainerLoggers(resolved.EnableLogging && isGlobalZero ? loggerList : []);
        Loggers = resolved.EnableLogging ? loggerList : [];
        if (PrecisionNames.LegacyAliasNote(requested.Precision) is { } note)
        {
            this.console.WriteLine(note);
        }
    }

    /// <summary>The callbacks in the order they run, including the default <see cref="ModelCheckpoint"/>.</summary>
    public IReadOnlyList<Callback> Callbacks => callbacks;

    /// <summary>The loggers metrics go to (on global rank 0); empty when logging is off.</summary>
    public IReadOnlyList<IMetricLogger> Loggers { get; }

    /// <summary>The strategy: this process's device, rank and world size, and the collectives.</summary>
    public Strategy Strategy { get; }

    /// <summary>True on the process that writes files and prints (global rank 0; always true in one process).</summary>
    public bool IsGlobalZero => Strategy.IsGlobalZero;

    /// <summary>The validated settings, with <see cref="TrainerOptions.FastDevRun"/> and <see cref="TrainerOptions.OverfitBatches"/> applied to the limits they replace.</summary>
    public TrainerOptions Options { get; }

    /// <summary>The run directory, once a phase has created it (null before, or when logging is disabled); the same on every rank.</summary>
    public string? LogDir { get; private set; }

    /// <summary>The 0-based epoch in progress, or the number of completed epochs after <c>Fit</c>.</summary>
    public int CurrentEpoch => loopProgress.CurrentEpoch;

    /// <summary>The number of optimizer steps taken.</summary>
    public long GlobalStep => loopProgress.GlobalStep;

    /// <summary>The latest value of every logged metric (Lightning's <c>callback_metrics</c>), updated at epoch ends.</summary>
    public IReadOnlyDictionary<string, double> CallbackMetrics => callbackMetrics;

    /// <summary>Where this trainer prints progress (the <see cref="Tuning.Tuner"/> prints its findings there too); <see cref="TextWriter.Null"/> on ranks other than 0.</summary>
    internal TextWriter Output => console;

    /// <summary>
    /// The hyperparameters the next fit saves and logs instead of the module's own: the module's merged
    /// with its data module's (set by <c>trainer.Fit(module, dataModule)</c> for the call's duration).
    /// </summary>
    internal IHyperparameters? FitHyperparameters { get; set; }

    /// <summary>Tests replace the precision plugin (for example a grad scaler on the CPU).</summary>
    internal Func<TorchSharp.torch.Device, PrecisionPlugin>? PrecisionFactory { get; init; }

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
        train = DataSharding.ForStrategy(train, Strategy, "training");
        Call("fit", module, profiler => RunFit(module, profiler, ckptPath, train.BatchCount, hasValidation: false, context =>
        {
            using var fit = new FitLoop<TTrainBatch>(context, train);
            module.RunFit(fit);
        }));
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
        train = DataSharding.ForStrategy(train, Strategy, "training");
        validation = validation is null ? null : DataSharding.ForStrategy(validation, Strategy, "validation");
        Call("fit", module, profiler => RunFit(module, profiler, ckptPath, train.BatchCount, hasValidation: validation is not null, context =>
        {
            using var fit = new FitLoop<TTrainBatch>(context, train);
            using var validationLoop = validation is null
                ? null
                : new EvaluationLoop<TValidationBatch>(context, validation, RunPhase.Validation, Options.LimitValBatches, insideFit: true);
            module.RunFit(fit, validationLoop);
        }));
    }

    /// <summary>
    /// Runs one trainer call, shows its profiler report when <see cref="TrainerOptions.Profiler"/> is on, and
    /// finishes the loggers (Lightning's <c>finalize</c>, once per call): <see cref="RunStatus.Success"/> when it
    /// returns, <see cref="RunStatus.Interrupted"/> after SIGINT/SIGTERM, <see cref="RunStatus.Failed"/> after any
    /// other exception, which is rethrown unchanged.
    /// </summary>
    /// <param name="stage">The call, as the profiler report names it: "fit", "validate", "test" or "predict".</param>
    /// <param name="module">The module the call runs.</param>
    /// <param name="run">The call; it gets the call's profiler (null when off, and on ranks other than 0).</param>
    private T Call<T>(string stage, IVoltModule module, Func<SimpleProfiler?, T> run)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var profiler = ProfilerNames.IsSimple(Options.Profiler) && Strategy.IsGlobalZero ? new SimpleProfiler(stage, module.Module.GetType().Name) : null;
        var reported = false;
        T result;
        try
        {
            result = run(profiler);
            reported = true;
            if (profiler is not null)
            {
                ProfilerOutput.AfterSuccess(profiler, console, LogDir);
            }
        }
        catch (Exception error)
        {
            var status = error is TrainingInterruptedException ? RunStatus.Interrupted : RunStatus.Failed;
            if (profiler is not null && !reported)
            {
                ProfilerOutput.AfterFailure(profiler, status, console, LogDir);
            }

            loggers.FinishFailed(status, console);
            throw;
        }

        loggers.FinishSucceeded();
        return result;
    }

    private void Call(string stage, IVoltModule module, Action<SimpleProfiler?> run) => Call(stage, module, profiler =>
    {
        run(profiler);
        return true;
    });

    private void RunFit(IVoltModule module, SimpleProfiler? profiler, string? ckptPath, int trainBatchCount, bool hasValidation, Action<RunContext> run)
    {
        ValidationSchedule.CheckFitsEpoch(Options, trainBatchCount, hasValidation);

        // The checkpoint is found and verified before this fit creates a run directory, so a bad one leaves none behind.
        using var checkpoint = ckptPath is null ? null : CheckpointReader.Open(CheckpointLocator.Resolve(ckptPath, Options, RunName(module), callbacks));
        var createsRunDirectory = Options.EnableLogging && LogDir is null;
        var context = StartPhase(module, isFit: true, profiler);
        context.IsFitting = true;
        loopProgress.StartFit();
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
                if (Strategy.IsGlobalZero)
                {
                    ResumeReport.Write(checkpoint, context);
                }

                // Close the file now: a resume into the same directory writes a new last.ckpt over it.
                checkpoint.Dispose();
            }

            if (Options.EnableModelSummary && context.Strategy.IsGlobalZero)
            {
                ModelSummaryPrinter.Print(ModelSummary.Of(module.Module), console);
            }

            context.Hooks.OnFitStart();
            started = true;
            run(context);
            context.Hooks.OnFitEnd();
            if (Options.PlotCurves && LogDir is { } runDirectory && Strategy.IsGlobalZero && File.Exists(Path.Combine(runDirectory, CsvLogger.FileName)))
            {
                TrainingCurves.Write(runDirectory);
            }
        }
        catch (Exception error)
        {
            if (error is TrainingInterruptedException)
            {
                console.WriteLine(error.Message);
                console.Flush();
            }

            context.Hooks.OnException(error);

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

    /// <summary>
    /// Removes the run directory a fit created but failed to start in (a bad resume): the loggers are
    /// finished as failed, then rank 0 deletes Volt's own files, and the directory only if nothing else is in it.
    /// </summary>
    private void DiscardRunDirectory()
    {
        if (LogDir is not { } directory)
        {
            return;
        }

        loggers.Close(console);
        LogDir = null;
        if (!Strategy.IsGlobalZero)
        {
            return;
        }

        try
        {
            foreach (var name in new[] { RunDirectory.MarkerFile, HyperparameterFile.FileName, ResumeReport.FileName, CsvLogger.FileName, CsvLogger.HyperparametersFileName })
            {
                File.Delete(Path.Combine(directory, name));
            }

            foreach (var eventFile in Directory.EnumerateFiles(directory, TensorBoardLogger.FilePattern))
            {
                File.Delete(eventFile);
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
        return Call("validate", module, profiler => Evaluate(module, data, RunPhase.Validation, Options.LimitValBatches, module.RunValidate, profiler));
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
        return Call("test", module, profiler => Evaluate(module, data, RunPhase.Test, Options.LimitTestBatches, module.RunTest, profiler));
    }

    private IReadOnlyDictionary<string, double> Evaluate<TBatch>(
        IVoltModule module, IDataLoader<TBatch> data, RunPhase phase, BatchLimit limit, Action<EvaluationLoop<TBatch>> run, SimpleProfiler? profiler)
    {
        data = DataSharding.ForStrategy(data, Strategy, phase == RunPhase.Test ? "test" : "validation");
        var context = StartPhase(module, isFit: false, profiler);
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
        return Call("predict", module, profiler =>
        {
            var context = StartPhase(module, isFit: false, profiler);
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
        });
    }

    /// <summary>Disposes the strategy the trainer created (not one passed to the constructor). The trainer cannot run afterwards.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        if (ownsStrategy)
        {
            Strategy.Dispose();
        }
    }

    private RunContext StartPhase(IVoltModule module, bool isFit, SimpleProfiler? profiler)
    {
        var strategy = Strategy;
        var device = strategy.Device;

        // Fit seeds torch's generators so dropout and other random ops repeat; module initialization
        // happened before, so seed it with Seeding.SeedEverything before constructing the module.
        if (isFit && Options.Seed is { } seed)
        {
            Seeding.SeedEverything(seed);
        }

        // Every rank shuffles with rank 0's seed, so the ranks' shards split one order.
        shuffleSeed ??= SharedShuffleSeed(strategy, Options.Seed ?? DrawShuffleSeed());

        var precision = PrecisionFactory?.Invoke(device) ?? PrecisionPlugin.Create(Options.Precision, device);
        strategy.Setup(module.Module);
        precision.SetupModule(module.Module);
        Metrics.ModuleMetrics.Prepare(module.Module, strategy.MetricStateSync);
        module.State.Device = strategy.Device;
        module.State.GlobalRank = strategy.GlobalRank;

        if (Options.EnableLogging && LogDir is null)
        {
            LogDir = CreateRunDirectory(module);
        }

        if (isFit && LogDir is not null && strategy.IsGlobalZero)
        {
            var hyperparameters = FitHyperparameters ?? module.CurrentHyperparameters;
            HyperparameterFile.Save(LogDir, hyperparameters);
            loggers.LogHyperparameters(hyperparameters);
        }

        var progress = strategy.IsGlobalZero ? ProgressReporters.Create(Options, console) : new SilentProgress();
        return new RunContext(Options, strategy, precision, module, shuffleSeed.Value, loggers.Active, progress, callbackMetrics, callbacks, LogDir, loopProgress, profiler)
        {
            Messages = console,
        };
    }

    /// <summary>
    /// Global rank 0 creates the run directory and opens the loggers there; every rank gets its path by
    /// broadcast. When rank 0 fails, it still answers the broadcast (with no path) before rethrowing, so
    /// the other ranks fail too instead of waiting for a path that never comes.
    /// </summary>
    private string CreateRunDirectory(IVoltModule module)
    {
        string? created = null;
        if (Strategy.IsGlobalZero)
        {
            try
            {
                created = RunDirectory.Create(Options.DefaultRootDir, RunName(module));
            }
            catch
            {
                Strategy.BroadcastText(null);
                throw;
            }
        }

        var shared = Strategy.BroadcastText(created)
            ?? throw new IOException($"Global rank 0 could not create the run directory under '{Options.DefaultRootDir}'; its error says why.");
        if (Strategy.IsGlobalZero)
        {
            loggers.Open(shared);
        }

        return shared;
    }

    /// <summary>
    /// Without <see cref="TrainerOptions.Seed"/> the shuffling seed is drawn from torch's CPU generator when the
    /// trainer first runs, as Lightning's samplers draw theirs when an epoch starts: after
    /// <see cref="Seeding.SeedEverything"/> the order repeats, and without it it is random.
    /// </summary>
    private static long DrawShuffleSeed()
    {
        using var draw = TorchSharp.torch.randint(0, long.MaxValue, [1], TorchSharp.torch.ScalarType.Int64);
        return draw.ToInt64();
    }

    private static long SharedShuffleSeed(Strategy strategy, long seed)
    {
        if (strategy.WorldSize == 1)
        {
            return seed;
        }

        using var shared = TorchSharp.torch.tensor(seed);
        strategy.Broadcast(shared, 0);
        return shared.ToInt64();
    }

    private string RunName(IVoltModule module) => Options.RunName ?? module.Module.GetType().Name;

    private void EndPhase(IVoltModule module, RunContext context)
    {
        module.State.Metrics = null;
        context.Progress.Dispose();
        loggers.Flush();
    }
}
