using System;
using System.IO;
using Volt.Logging;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Logging;

/// <summary>metrics.csv is on disk as soon as rows are logged, so a killed run keeps what it logged.</summary>
public sealed class CsvLoggerTests : IDisposable
{
    private readonly TempRoot root = new();

    [Fact]
    public void EveryLoggedRowIsOnDiskWithoutAFlush()
    {
        Directory.CreateDirectory(root.Path);
        var logger = new CsvLogger(root.Path);
        logger.LogMetrics(new System.Collections.Generic.Dictionary<string, double> { ["a"] = 1.5 }, 0);
        Assert.Equal(["step,a", "0,1.5"], File.ReadAllLines(logger.FilePath));

        logger.LogMetrics(new System.Collections.Generic.Dictionary<string, double> { ["a"] = 2, ["b"] = 0.25 }, 1);
        Assert.Equal(["step,a,b", "0,1.5,", "1,2,0.25"], File.ReadAllLines(logger.FilePath));

        logger.LogMetrics(new System.Collections.Generic.Dictionary<string, double> { ["b"] = 3 }, 2);
        logger.Flush();
        Assert.Equal(["step,a,b", "0,1.5,", "1,2,0.25", "2,,3"], File.ReadAllLines(logger.FilePath));
        Assert.Single(Directory.GetFiles(root.Path));
    }

    [Fact]
    public void TrainingStepRowsAreOnDiskBeforeTheEpochEnds()
    {
        using var x = TorchSharp.torch.arange(8, TorchSharp.torch.ScalarType.Float32).reshape(8, 1);
        using var y = TorchSharp.torch.zeros(8, 1);
        using var module = new StepRowProbe { SearchRoot = root.Path };
        using var loader = TestData.Loader(x, y, batchSize: 2, shuffle: false);
        var trainer = new Trainer(root.Options(maxEpochs: 1) with { LogEveryNSteps = 1 });
        trainer.Fit(module, loader);
        Assert.Equal([2, 3, 4], module.RowsSeenAtStepStart);
    }

    public void Dispose() => root.Dispose();
}
