using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Volt.Data;
using Volt.Runtime.Tests.Cli;
using Volt.Runtime.Tests.Logging;

namespace Volt.Runtime.Tests.Data;

/// <summary>A data module's hyperparameters are saved and logged with the module's (Lightning's loggers/utilities.py _log_hyperparams).</summary>
public sealed class DataModuleHyperparameterTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("volt-datamodule-hparams-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public void FitSavesAndLogsTheDataModulesHyperparametersAfterTheModules()
    {
        var logger = new RecordingLogger();
        using var data = new PointsWithHyperparameters(new Dictionary<string, object?> { ["batchSize"] = 8, ["source"] = "line", ["noise"] = 0.25f, ["cache"] = null });
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();
        using var trainer = Trainer(logger);

        trainer.Fit(model, data);

        Assert.Equal(["learningRate", "hiddenSize", "activation", "useBias", "label", "batchSize", "source", "noise", "cache"], logger.Hyperparameters!.Keys);
        Assert.Equal(8L, logger.Hyperparameters["batchSize"]);
        Assert.Equal("line", logger.Hyperparameters["source"]);
        Assert.Equal(0.25, (double)logger.Hyperparameters["noise"]!, 1e-12);
        Assert.Null(logger.Hyperparameters["cache"]);

        using var saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(trainer.LogDir!, HyperparameterFile.FileName)));
        Assert.Equal(0.1, saved.RootElement.GetProperty("learningRate").GetDouble(), 1e-12);
        Assert.Equal(8, saved.RootElement.GetProperty("batchSize").GetInt32());
        Assert.Equal("line", saved.RootElement.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Null, saved.RootElement.GetProperty("cache").ValueKind);
    }

    [Fact]
    public void WithoutDataModuleHyperparametersTheModulesAreSavedAlone()
    {
        var logger = new RecordingLogger();
        using var data = new PointsWithHyperparameters(new Dictionary<string, object?>());
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();
        using var trainer = Trainer(logger);

        trainer.Fit(model, data);

        Assert.Equal(["learningRate", "hiddenSize", "activation", "useBias", "label"], logger.Hyperparameters!.Keys);
    }

    [Fact]
    public void ANameBothHaveWithTheSameValueIsLoggedOnce()
    {
        var logger = new RecordingLogger();
        using var data = new PointsWithHyperparameters(new Dictionary<string, object?> { ["hiddenSize"] = 4, ["label"] = "line" });
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();
        using var trainer = Trainer(logger);

        trainer.Fit(model, data);

        Assert.Equal(["learningRate", "hiddenSize", "activation", "useBias", "label"], logger.Hyperparameters!.Keys);
        Assert.Equal(4L, logger.Hyperparameters["hiddenSize"]);
    }

    [Fact]
    public void ANameBothHaveWithDifferentValuesFailsNamingItBeforeAnythingIsWritten()
    {
        var logger = new RecordingLogger();
        using var data = new PointsWithHyperparameters(new Dictionary<string, object?> { ["learningRate"] = 0.5, ["batchSize"] = 8 });
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();
        using var trainer = Trainer(logger);

        var error = Assert.Throws<InvalidOperationException>(() => trainer.Fit(model, data));

        Assert.Contains("'learningRate'", error.Message, StringComparison.Ordinal);
        Assert.Contains("CliLineFit: 0.1", error.Message, StringComparison.Ordinal);
        Assert.Contains("PointsWithHyperparameters: 0.5", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("batchSize", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, data.Prepared);
        Assert.Empty(logger.Calls);
        Assert.Empty(Directory.EnumerateFileSystemEntries(directory));
    }

    [Fact]
    public void AValueNoLoggerCanHoldIsRefusedNamingIt()
    {
        using var data = new PointsWithHyperparameters(new Dictionary<string, object?> { ["sizes"] = new[] { 1, 2 } });
        Seeding.SeedEverything(0);
        using var model = new CliLineFit();
        using var trainer = Trainer(new RecordingLogger());

        var error = Assert.Throws<ArgumentException>(() => trainer.Fit(model, data));

        Assert.Contains("'sizes'", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(PointsWithHyperparameters), error.Message, StringComparison.Ordinal);
    }

    private Trainer Trainer(RecordingLogger logger) => new(
        new TrainerOptions { MaxEpochs = 1, DefaultRootDir = directory, EnableProgressBar = false, EnableModelSummary = false, PlotCurves = false, NumSanityValSteps = 0 },
        loggers: [logger],
        console: TextWriter.Null);

    /// <summary>The line points of <see cref="CliPointData"/> with the given hyperparameters.</summary>
    private sealed class PointsWithHyperparameters(IReadOnlyDictionary<string, object?> hyperparameters) : DataModule<CliPointBatch>
    {
        private readonly CliPointData points = new(batchSize: 8, points: 16);

        public int Prepared { get; private set; }

        public override IReadOnlyDictionary<string, object?> Hyperparameters => hyperparameters;

        public override void Prepare() => Prepared++;

        public override void Setup(Stage stage) => points.Setup(stage);

        public override IDataLoader<CliPointBatch> TrainLoader() => points.TrainLoader();

        public override IDataLoader<CliPointBatch>? ValidationLoader() => points.ValidationLoader();

        protected override void Dispose(bool disposing) => points.Dispose();
    }
}
