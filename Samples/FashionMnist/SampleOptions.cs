using System;
using System.Collections.Generic;
using System.Globalization;

namespace FashionMnistSample;

/// <summary>The sample's command-line options.</summary>
public sealed record SampleOptions
{
    /// <summary>The usage text printed on bad arguments and for --help.</summary>
    public const string Usage = """
        Usage: dotnet run --project Samples/FashionMnist -- [tune --trials N] [options]
          tune --trials N              search learning rate and hidden size over N trials (study in <root>/fashion_mnist_study.db)
          --model mlp|cnn              architecture (default mlp)
          --epochs N                   training epochs (default 5)
          --batch-size N               training batch size (default 64)
          --lr X                       Adam learning rate (default 0.001)
          --seed N                     seed for initialization, shuffling and dropout (default 42)
          --data DIR                   Fashion-MNIST directory (default: $FASHION_MNIST_DIR, then /usr/share/datasets/fashion-mnist)
          --root DIR                   where runs/<name>/version_N goes (default .)
          --limit-train-batches N      train on the first N batches of each epoch (default all)
          --limit-val-batches N        validate on the first N batches (default all)
          --limit-test-batches N       test on the first N batches (default all)
          --precision P                32-true (default), bf16-mixed, bf16-true, 16-true (16-mixed needs CUDA)
          --devices N                  train data-parallel on N processes (relaunches under mpirun; default 1)
          --strategy auto|single|ddp   how processes train together (default auto)
          --ckpt-path last|best|FILE   resume training from a checkpoint
          --checkpoint-every-n-steps N also write last.ckpt every N optimizer steps (default: per epoch only)
          --no-progress                print nothing while training, only the results
          --verbose                    print the stack trace of an error, not only its message
          --find-lr                    run the learning-rate finder instead of training: print the suggestion, draw <root>/lr_find.png

        Subcommands (each prints its own usage on a bad argument):
          export --ckpt-path FILE [--format onnx|pt|safetensors] --output FILE   (onnx is the default format)
          serve --ckpt-path FILE --port N
        """;

    public string Model { get; init; } = "mlp";

    public int Epochs { get; init; } = 5;

    public int BatchSize { get; init; } = 64;

    public double LearningRate { get; init; } = 1e-3;

    public long Seed { get; init; } = 42;

    public string? DataDirectory { get; init; }

    public string RootDirectory { get; init; } = ".";

    public int? LimitTrainBatches { get; init; }

    public int? LimitValBatches { get; init; }

    public int? LimitTestBatches { get; init; }

    public bool Progress { get; init; } = true;

    public string? CheckpointPath { get; init; }

    public string Precision { get; init; } = "32-true";

    /// <summary>The number of data-parallel processes (--devices).</summary>
    public int Devices { get; init; } = 1;

    /// <summary>The trainer's strategy (--strategy).</summary>
    public string Strategy { get; init; } = "auto";

    public int? CheckpointEveryNSteps { get; init; }

    public bool Help { get; init; }

    public bool FindLr { get; init; }
    /// <summary>True for the <c>tune</c> command: a hyperparameter search instead of one run.</summary>
    public bool Tune { get; init; }

    /// <summary>The number of trials <c>tune</c> runs (default 10).</summary>
    public int Trials { get; init; } = 10;

    /// <summary>Print stack traces of errors (--verbose).</summary>
    public bool Verbose { get; init; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> naming the bad flag.</summary>
    public static SampleOptions Parse(IReadOnlyList<string> args)
    {
        var tune = args.Count > 0 && args[0] == "tune";
        var options = new SampleOptions { Tune = tune };
        for (var i = tune ? 1 : 0; i < args.Count; i++)
        {
            var flag = args[i];
            string Value()
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{flag} needs a value.");
                }

                return args[++i];
            }

            options = flag switch
            {
                "--model" => options with { Model = OneOf(flag, Value(), "mlp", "cnn") },
                "--epochs" => options with { Epochs = Positive(flag, Value()) },
                "--batch-size" => options with { BatchSize = Positive(flag, Value()) },
                "--lr" => options with { LearningRate = PositiveNumber(flag, Value()) },
                "--seed" => options with { Seed = Integer(flag, Value()) },
                "--data" => options with { DataDirectory = Value() },
                "--root" => options with { RootDirectory = Value() },
                "--limit-train-batches" => options with { LimitTrainBatches = Positive(flag, Value()) },
                "--limit-val-batches" => options with { LimitValBatches = Positive(flag, Value()) },
                "--limit-test-batches" => options with { LimitTestBatches = Positive(flag, Value()) },
                "--ckpt-path" => options with { CheckpointPath = Value() },
                "--precision" => options with { Precision = Value() },
                "--devices" => options with { Devices = Positive(flag, Value()) },
                "--strategy" => options with { Strategy = OneOf(flag, Value(), "auto", "single", "ddp") },
                "--checkpoint-every-n-steps" => options with { CheckpointEveryNSteps = Positive(flag, Value()) },
                "--no-progress" => options with { Progress = false },
                "--verbose" => options with { Verbose = true },
                "--help" or "-h" => options with { Help = true },
                "--find-lr" => options with { FindLr = true },
                "--trials" when tune => options with { Trials = Positive(flag, Value()) },
                _ => throw new ArgumentException($"Unknown option '{flag}'."),
            };
        }

        return options;
    }

    /// <summary>The given arguments with <c>--ckpt-path</c> set to <paramref name="checkpoint"/>: the command that resumes this run.</summary>
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

    private static string OneOf(string flag, string value, params string[] allowed)
        => Array.IndexOf(allowed, value) >= 0 ? value : throw new ArgumentException($"{flag} is '{value}'; use one of: {string.Join(", ", allowed)}.");

    private static int Positive(string flag, string value)
        => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number > 0
            ? number
            : throw new ArgumentException($"{flag} is '{value}'; it takes a whole number of at least 1.");

    private static long Integer(string flag, string value)
        => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new ArgumentException($"{flag} is '{value}'; it takes a whole number.");

    private static double PositiveNumber(string flag, string value)
        => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0 && number <= float.MaxValue
            ? number
            : throw new ArgumentException($"{flag} is '{value}'; it takes a positive number such as 0.001, at most {float.MaxValue.ToString(CultureInfo.InvariantCulture)} (the model computes in float32).");
}
