using System;
using System.Collections.Generic;
using System.IO;
using Volt;
using Volt.Callbacks;
using Volt.Cli;
using Volt.Data;

namespace FashionMnistSample;

/// <summary>The sample's default command: trains on the data module, tests and prints the fingerprint.</summary>
public static class SampleRun
{
    /// <summary>The outcome of a run.</summary>
    /// <param name="TestMetrics">The test epoch metrics by name.</param>
    /// <param name="WeightsSha256">The fingerprint of the final model state.</param>
    /// <param name="LogDirectory">The run directory.</param>
    public sealed record Result(IReadOnlyDictionary<string, double> TestMetrics, string WeightsSha256, string? LogDirectory);

    /// <summary>Parses <paramref name="args"/> like the sample's command line and runs the default command (tests use it).</summary>
    /// <param name="args">The options, as on the command line (no subcommand).</param>
    /// <param name="console">Where progress and results go.</param>
    /// <returns>The outcome.</returns>
    /// <exception cref="ArgumentException">The command line is bad or the run failed; the message holds what the sample printed to standard error.</exception>
    public static Result Run(IReadOnlyList<string> args, TextWriter console)
    {
        Result? result = null;
        var errors = new StringWriter();
        var exitCode = CliRunner.Run(SampleCommandLine.Create(args, trained: r => result = r), args, console, errors);
        return result ?? throw new ArgumentException($"The sample exited with {exitCode} without a result: {errors}");
    }

    /// <summary>Trains the classifier the options describe, tests it and prints the metrics and the fingerprint.</summary>
    /// <param name="run">The parsed command line.</param>
    /// <param name="trainerOptions">The trainer options (the parsed ones with the sample's own options applied).</param>
    /// <param name="checkpointEveryNSteps">Also write last.ckpt every N optimizer steps; null for per epoch only.</param>
    /// <param name="console">Where progress and results go.</param>
    /// <returns>The outcome.</returns>
    public static Result Run(CliInvocation<FashionClassifier, FashionMnistDataModule> run, TrainerOptions trainerOptions, int? checkpointEveryNSteps, TextWriter console)
    {
        using var data = run.CreateDataModule();
        data.Log = console;
        using var model = run.CreateModel();
        var callbacks = checkpointEveryNSteps is { } everyNSteps
            ? new Callback[] { new ModelCheckpoint { SaveLast = false }, new ModelCheckpoint { EveryNTrainSteps = everyNSteps, SaveTopK = 0 } }
            : [];
        using var trainer = new Trainer(
            trainerOptions with { RunName = trainerOptions.RunName ?? "fashion_mnist_" + model.GetHyperparameters().Architecture },
            callbacks,
            console: console);

        trainer.Fit(model, data, run.CkptPath);
        var metrics = trainer.Test(model, data);
        var fingerprint = ModelFingerprint.Sha256(model);
        if (trainer.IsGlobalZero)
        {
            // Every rank holds the same weights; rank 0 alone prints the results.
            CliRunner.WriteMetrics(console, metrics);
            console.WriteLine($"weights_sha256: {fingerprint}");
        }

        return new Result(metrics, fingerprint, trainer.LogDir);
    }
}
