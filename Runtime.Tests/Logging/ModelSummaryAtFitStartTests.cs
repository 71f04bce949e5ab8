using System;
using System.IO;
using Volt.Runtime.Tests.Training;

namespace Volt.Runtime.Tests.Logging;

/// <summary>The trainer prints the summary once, before the first epoch line, and not when it is turned off.</summary>
public sealed class ModelSummaryAtFitStartTests() : TrainingTest(samples: 32)
{
    [Fact]
    public void FitPrintsTheSummaryBeforeTheFirstEpoch()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        new Trainer(Root.Options(1) with { EnableModelSummary = true, EnableProgressBar = true, EnableCheckpointing = false }, console: console).Fit(module, train);

        var lines = console.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("  | Name   | Type   | Params | Out shape", lines[0]);
        Assert.Equal("0 | linear | Linear | 4      | [*, 1]", lines[2]);
        Assert.StartsWith("Epoch 0/0 ", lines[^1]);
        Assert.Single(lines, line => line.EndsWith("Total params", StringComparison.Ordinal));
    }

    [Fact]
    public void TurnedOffThereIsNoSummary()
    {
        var console = new StringWriter();
        using var module = new Regression();
        using var train = TestData.Loader(X, Y, batchSize: 16, shuffle: false);
        new Trainer(Root.Options(1) with { EnableModelSummary = false, EnableProgressBar = true, EnableCheckpointing = false }, console: console).Fit(module, train);
        Assert.DoesNotContain("Total params", console.ToString(), StringComparison.Ordinal);
    }
}
