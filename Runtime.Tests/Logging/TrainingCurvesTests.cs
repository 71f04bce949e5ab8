using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Volt.Logging;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Logging;

public sealed class TrainingCurvesTests() : TrainingTest(samples: 64)
{
    [Fact]
    public void EachFamilyWithValuesGetsOnePngOfTheDocumentedSize()
    {
        Directory.CreateDirectory(Root.Path);
        var csv = new CsvLogger(Root.Path);
        for (var step = 0; step < 10; step++)
        {
            csv.LogMetrics(new Dictionary<string, double> { ["train_loss_step"] = 1.0 / (step + 1), ["lr-SGD"] = 0.1 * (10 - step) }, step);
        }

        csv.LogMetrics(new Dictionary<string, double> { ["val_loss"] = 0.3, ["val_acc"] = 0.8, ["epoch"] = 0 }, 9);
        var written = TrainingCurves.Write(Root.Path);

        Assert.Equal(["accuracy.png", "learning_rate.png", "loss.png"], written.Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (var path in written)
        {
            Assert.Equal((TrainingCurves.Width, TrainingCurves.Height), PngFile.Size(path));
        }
    }

    [Fact]
    public void TheCsvIsReadIntoSeriesOfItsNonEmptyCells()
    {
        Directory.CreateDirectory(Root.Path);
        File.WriteAllText(Path.Combine(Root.Path, "metrics.csv"), "step,train_loss,\"a,b\"\n0,0.5,\n4,,2\n9,0.25,3\n");
        var series = TrainingCurves.ReadCsv(Path.Combine(Root.Path, "metrics.csv"));
        Assert.Equal(["train_loss", "a,b"], series.Select(s => s.Name));
        Assert.Equal([0.0, 9.0], series[0].Steps);
        Assert.Equal([0.5, 0.25], series[0].Values);
        Assert.Equal([4.0, 9.0], series[1].Steps);
        Assert.Equal([2.0, 3.0], series[1].Values);
    }

    [Fact]
    public void ABadCellIsNamedWithItsLine()
    {
        Directory.CreateDirectory(Root.Path);
        File.WriteAllText(Path.Combine(Root.Path, "metrics.csv"), "step,train_loss\n0,0.5\n1,oops\n");
        var error = Assert.Throws<InvalidDataException>(() => TrainingCurves.Write(Root.Path));
        Assert.Contains("line 3, column 'train_loss': 'oops'", error.Message);
        Assert.Empty(Directory.GetFiles(Root.Path, "*.png"));
    }

    [Fact]
    public void ADirectoryWithoutMetricsCsvIsRejected()
    {
        Directory.CreateDirectory(Root.Path);
        var error = Assert.Throws<FileNotFoundException>(() => TrainingCurves.Write(Root.Path));
        Assert.Contains("metrics.csv", error.Message);
    }

    [Fact]
    public void AFitDrawsTheLossCurveIntoItsRunDirectory()
    {
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        using var trainer = new Trainer(Root.Options(2) with { PlotCurves = true, LogEveryNSteps = 1, EnableCheckpointing = false });
        trainer.Fit(module, train);
        Assert.Equal(["loss.png"], Directory.GetFiles(trainer.LogDir!, "*.png").Select(Path.GetFileName));
        Assert.Equal((TrainingCurves.Width, TrainingCurves.Height), PngFile.Size(Path.Combine(trainer.LogDir!, "loss.png")));
    }
}
