using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using Volt;
using Volt.Cli;

namespace FashionMnistSample;

/// <summary>
/// The sample's command line: the one generated for <see cref="FashionClassifier"/> ([GenerateCli],
/// docs/cli.md) with the sample's defaults (5 epochs, seed 42), its short aliases ([CliAlias] on the
/// classifier: --epochs, --lr, --root, ...) and a few options of its own. With no subcommand it
/// trains, tests and prints the fingerprint; <c>tune</c> searches hyperparameters; the generated
/// <c>fit</c>, <c>validate</c> and <c>test</c> are there too.
/// </summary>
public static class SampleCommandLine
{
    /// <summary>The sample's --trainer.* defaults (Lightning's trainer_defaults).</summary>
    public static TrainerOptions TrainerDefaults { get; } = new() { MaxEpochs = 5, Seed = 42 };

    private const string Description = """
        Trains the Fashion-MNIST classifier, tests it and prints the weights' fingerprint (docs/cli.md lists the options; --help shows them).
        Also: tune --trials N (hyperparameter search), fit | validate | test (the generated subcommands),
        and, with their own options, export --ckpt-path FILE --output FILE [--format onnx|pt|safetensors], serve --ckpt-path FILE [--port N], plot RUN_DIR.
        """;

    /// <summary>Parses <paramref name="args"/> and runs the command.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Where progress and results go.</param>
    /// <param name="errors">Where errors go.</param>
    /// <returns>The exit code: 0 when done; 1 for a bad command line (System.CommandLine's error) or a failure (named in the message); 2 for trainer options the trainer rejects; 130/143 when interrupted.</returns>
    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter errors)
        => CliRunner.Run(Create(args), args, output, errors);

    /// <summary>The root command; <paramref name="trained"/> receives the outcome of a training run.</summary>
    /// <param name="args">The arguments it will parse (for the resume hint after an interrupt).</param>
    /// <param name="trained">Called with the result of the default command's run; null to ignore it.</param>
    /// <returns>The root command.</returns>
    public static RootCommand Create(IReadOnlyList<string> args, Action<SampleRun.Result>? trained = null)
    {
        var root = new RootCommand(Description);
        var options = new SampleOptions();
        FashionClassifierCli.Configure(root, run => Guarded(run, options, args, () =>
        {
            if (run.ParseResult.GetValue(options.FindLr))
            {
                FindLr.Run(run, options.TrainerOptions(run), run.Output);
            }
            else
            {
                var result = SampleRun.Run(run, options.TrainerOptions(run), run.ParseResult.GetValue(options.CheckpointEveryNSteps), run.Output);
                trained?.Invoke(result);
            }
        }), TrainerDefaults);
        options.AddTo(root);

        var tuneOptions = new SampleOptions();
        var trials = new Option<int>("--trials") { Description = "How many trials to run.", DefaultValueFactory = _ => 10 };
        trials.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--trials takes a whole number of at least 1.");
            }
        });
        var tune = FashionClassifierCli.CreateCommand(
            "tune",
            $"Searches the learning rate and hidden size with TPE over --trials N trials; the study is kept in <root>/{SampleTune.StudyFileName}.",
            run => Guarded(run, tuneOptions, args, () => SampleTune.Run(run, run.ParseResult.GetValue(trials), run.Output)),
            TrainerDefaults);
        tune.Options.Add(trials);
        tuneOptions.AddTo(tune);
        root.Subcommands.Add(tune);

        var generated = FashionClassifierCli.CreateRootCommand(TrainerDefaults);
        foreach (var subcommand in generated.Subcommands.ToList())
        {
            generated.Subcommands.Remove(subcommand);
            root.Subcommands.Add(subcommand);
        }

        return root;
    }

    /// <summary>The given arguments with <c>--ckpt-path</c> set to <paramref name="checkpoint"/>: the command that resumes this run.</summary>
    /// <param name="args">The arguments of the interrupted run.</param>
    /// <param name="checkpoint">The checkpoint to resume from.</param>
    /// <returns>The arguments, quoted where they hold a space.</returns>
    public static string ResumeArguments(IReadOnlyList<string> args, string checkpoint)
    {
        var kept = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == "--ckpt-path")
            {
                i++;
                continue;
            }

            kept.Add(args[i]);
        }

        kept.Add("--ckpt-path");
        kept.Add(checkpoint);
        return string.Join(" ", kept.ConvertAll(a => a.Contains(' ', StringComparison.Ordinal) ? "\"" + a + "\"" : a));
    }

    /// <summary>
    /// Runs <paramref name="action"/> and turns its failures into exit codes: an interrupt prints how to
    /// resume (130 or 143); bad trainer options (an <see cref="ArgumentException"/>) give 2, any other error 1,
    /// with the message only, or the stack trace with --verbose.
    /// </summary>
    private static int Guarded(CliInvocation<FashionClassifier, FashionMnistDataModule> run, SampleOptions options, IReadOnlyList<string> args, Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (TrainingInterruptedException interrupted)
        {
            // The trainer has printed where it stopped; say how to continue from here.
            if (interrupted.CheckpointPath is { } checkpoint)
            {
                run.Error.WriteLine("Resume with: dotnet run --project Samples/FashionMnist -- " + ResumeArguments(args, checkpoint));
            }

            return interrupted.ExitCode;
        }
        catch (Exception error)
        {
            // Resume, I/O and data errors carry messages that name the culprit; the stack trace is for --verbose.
            run.Error.WriteLine(run.ParseResult.GetValue(options.Verbose) ? error.ToString() : error.Message);
            return error is ArgumentException ? 2 : 1;
        }
    }

    /// <summary>The sample's options besides the generated ones.</summary>
    private sealed class SampleOptions
    {
        public readonly Option<bool> NoProgress = new("--no-progress") { Description = "Print nothing while training, only the results (--trainer.enable-progress-bar false)." };

        public readonly Option<bool> Verbose = new("--verbose") { Description = "Print the stack trace of an error, not only its message." };

        public readonly Option<bool> FindLr = new("--find-lr") { Description = "Run the learning-rate finder instead of training: print the suggestion, draw <root>/lr_find.png." };

        public readonly Option<int?> CheckpointEveryNSteps = new("--checkpoint-every-n-steps") { Description = "Also write last.ckpt every N optimizer steps (default: per epoch only)." };

        public void AddTo(Command command)
        {
            command.Options.Add(NoProgress);
            command.Options.Add(Verbose);
            if (command is RootCommand)
            {
                command.Options.Add(FindLr);
                command.Options.Add(CheckpointEveryNSteps);
                CheckpointEveryNSteps.Validators.Add(result =>
                {
                    if (result.GetValueOrDefault<int?>() is < 1)
                    {
                        result.AddError("--checkpoint-every-n-steps takes a whole number of at least 1.");
                    }
                });
            }
        }

        /// <summary>The parsed trainer options with --no-progress applied.</summary>
        public TrainerOptions TrainerOptions(CliInvocation<FashionClassifier, FashionMnistDataModule> run)
            => run.ParseResult.GetValue(NoProgress) ? run.TrainerOptions with { EnableProgressBar = false } : run.TrainerOptions;
    }
}
