using System;
using System.IO;
using System.Linq;

namespace Volt.Runtime.Tests.Cli;

/// <summary>The command line generated for <see cref="CliLineFit"/> ([GenerateCli]): parsing, config merging, errors, runs.</summary>
public sealed class GeneratedCliTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("volt-cli-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void EveryOptionKindReachesTheConfig()
    {
        var (exitCode, output, errors) = Run(
            "fit", "--print-config",
            "--model.learning-rate", "0.5", "--model.hidden-size", "8", "--model.activation", "Relu",
            "--model.use-bias", "false", "--model.label", "wide net",
            "--trainer.max-epochs", "3", "--trainer.limit-train-batches", "0.25", "--trainer.limit-val-batches", "7",
            "--trainer.gradient-clip-algorithm", "Value", "--trainer.seed", "11", "--trainer.precision", "bf16-mixed",
            "--data.batch-size", "4", "--data.skip", "1", "2", "5");

        Assert.True(exitCode == 0, errors);
        var lines = output.Split('\n').Select(l => l.Trim()).ToArray();
        Assert.Contains("learning-rate: 0.5", lines);
        Assert.Contains("hidden-size: 8", lines);
        Assert.Contains("activation: Relu", lines);
        Assert.Contains("use-bias: false", lines);
        Assert.Contains("label: \"wide net\"", lines);
        Assert.Contains("max-epochs: 3", lines);
        Assert.Contains("limit-train-batches: 0.25", lines);
        Assert.Contains("limit-val-batches: 7", lines);
        Assert.Contains("gradient-clip-algorithm: Value", lines);
        Assert.Contains("seed: 11", lines);
        Assert.Contains("precision: \"bf16-mixed\"", lines);
        Assert.Contains("batch-size: 4", lines);
        Assert.Contains("skip: [1, 2, 5]", lines);
    }

    [Fact]
    public void DefaultsComeFromTheConstructorsAndTrainerOptions()
    {
        var (exitCode, output, errors) = Run("fit", "--print-config");

        Assert.True(exitCode == 0, errors);
        var lines = output.Split('\n').Select(l => l.Trim()).ToArray();
        Assert.Contains("learning-rate: 0.1", lines);
        Assert.Contains("hidden-size: 4", lines);
        Assert.Contains("activation: Tanh", lines);
        Assert.Contains("label: \"line\"", lines);
        Assert.Contains("max-epochs: null", lines);
        Assert.Contains("log-every-n-steps: 50", lines);
        Assert.Contains("precision: \"32-true\"", lines);
        Assert.Contains("batch-size: 16", lines);
        Assert.Contains(lines, l => l is "skip: null" or "skip: []"); // System.CommandLine gives an unset array option as empty
    }

    [Fact]
    public void CommandLineOverridesTheConfigFileWhichOverridesDefaults()
    {
        var config = Path.Combine(directory, "run.yaml");
        File.WriteAllText(config, "model:\n  hidden-size: 16\n  learning-rate: 0.01\ntrainer:\n  max-epochs: 7\ndata:\n  skip: [3, 4]\n");

        var (exitCode, output, errors) = Run("fit", "--config", config, "--print-config", "--trainer.max-epochs", "2", "--model.learning-rate", "0.2");

        Assert.True(exitCode == 0, errors);
        var lines = output.Split('\n').Select(l => l.Trim()).ToArray();
        Assert.Contains("hidden-size: 16", lines);    // config file over the default 4
        Assert.Contains("learning-rate: 0.2", lines); // command line over the file
        Assert.Contains("max-epochs: 2", lines);      // command line over the file
        Assert.Contains("skip: [3, 4]", lines);       // a list from the file
        Assert.Contains("batch-size: 16", lines);     // default
    }

    [Fact]
    public void PrintedConfigReadsBackToTheSameConfig()
    {
        var (_, first, errors) = Run("test", "--print-config", "--model.activation", "Relu", "--trainer.limit-test-batches", "0.5", "--data.skip", "9", "--model.label", "null");
        Assert.True(first.Length > 0, errors);
        var saved = Path.Combine(directory, "printed.yaml");
        File.WriteAllText(saved, first);

        var (exitCode, second, secondErrors) = Run("test", "--config", saved, "--print-config");

        Assert.True(exitCode == 0, secondErrors);
        Assert.Equal(first, second);
        Assert.Contains("label: \"null\"", first.Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public void BadEnumValueNamesTheOptionAndTheAllowedValues()
    {
        var (exitCode, _, errors) = Run("fit", "--model.activation", "Sigmoid");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Sigmoid", errors);
        Assert.Contains("Relu", errors);
        Assert.Contains("Tanh", errors);
    }

    [Fact]
    public void BadNumberNamesTheOption()
    {
        var (exitCode, _, errors) = Run("fit", "--model.hidden-size", "wide");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("--model.hidden-size", errors);
        Assert.Contains("wide", errors);
    }

    [Fact]
    public void BadBatchLimitSaysWhatALimitIs()
    {
        var (exitCode, _, errors) = Run("fit", "--trainer.limit-train-batches", "1.5");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("'1.5' is not a valid value for --trainer.limit-train-batches", errors);
    }

    [Fact]
    public void UnknownConfigKeyNamesTheKeyAndTheLine()
    {
        var config = Path.Combine(directory, "typo.yaml");
        File.WriteAllText(config, "model:\n  hidden-size: 16\n  hiden-size: 3\n");

        var (exitCode, _, errors) = Run("fit", "--config", config);

        Assert.Equal(1, exitCode);
        Assert.Contains("line 3", errors);
        Assert.Contains("'model.hiden-size' is not an option of 'fit'", errors);
    }

    [Fact]
    public void BadValueInTheConfigFileNamesTheOption()
    {
        var config = Path.Combine(directory, "bad.yaml");
        File.WriteAllText(config, "model:\n  activation: Sigmoid\n");

        var (exitCode, _, errors) = Run("fit", "--config", config);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Sigmoid", errors);
        Assert.Contains("Relu", errors);
    }

    [Fact]
    public void FitTrainsSavesConfigYamlAndTestLoadsTheCheckpoint()
    {
        var (exitCode, output, errors) = Run(
            "fit", "--trainer.max-epochs", "2", "--trainer.default-root-dir", directory, "--trainer.enable-progress-bar", "false",
            "--trainer.seed", "3", "--trainer.num-sanity-val-steps", "0", "--model.hidden-size", "6", "--data.batch-size", "8");
        Assert.True(exitCode == 0, output + errors);

        var runDirectory = Directory.GetDirectories(Path.Combine(directory, "runs", "CliLineFit")).Single();
        var savedConfig = File.ReadAllText(Path.Combine(runDirectory, "config.yaml"));
        Assert.Contains("  hidden-size: 6", savedConfig);
        Assert.Contains("  max-epochs: 2", savedConfig);
        Assert.Contains("  batch-size: 8", savedConfig);

        var checkpoint = Path.Combine(runDirectory, "checkpoints", "last.ckpt");
        var (testExit, testOutput, testErrors) = Run("test", "--ckpt-path", checkpoint, "--trainer.enable-progress-bar", "false", "--trainer.enable-logging", "false");
        Assert.True(testExit == 0, testOutput + testErrors);
        Assert.Matches(@"test_loss: \d+\.\d{4}", testOutput);
    }

    private static (int ExitCode, string Output, string Errors) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var exitCode = CliLineFitCli.Run(args, output, errors);
        return (exitCode, output.ToString(), errors.ToString());
    }
}
