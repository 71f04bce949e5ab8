using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Volt.Logging;
using Volt.Runtime.Tests.Training;
using YamlDotNet.RepresentationModel;

namespace Volt.Runtime.Tests.Logging;

/// <summary>The CSV logger keeps Lightning's layout: <c>hparams.yaml</c> beside <c>metrics.csv</c>.</summary>
public sealed class CsvHyperparametersTests : IDisposable
{
    private readonly TempRoot root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void FittingWritesTheModulesHyperparametersAsYamlBesideTheMetrics()
    {
        var (x, y) = TestData.Linear(16);
        using var _x = x;
        using var _y = y;
        using var module = new Regression(inputs: 3, learningRate: 0.05, label: "null");
        using var train = TestData.Loader(x, y, batchSize: 4, shuffle: false);
        var trainer = new Trainer(root.Options(1) with { EnableCheckpointing = false }, loggers: [new CsvLogger()]);

        trainer.Fit(module, train);

        var path = Path.Combine(trainer.LogDir!, CsvLogger.HyperparametersFileName);
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        var values = ((YamlMappingNode)yaml.Documents.Single().RootNode).Children
            .ToDictionary(entry => ((YamlScalarNode)entry.Key).Value!, entry => (YamlScalarNode)entry.Value);
        Assert.Equal(["inputs", "learningRate", "label"], values.Keys);
        Assert.Equal(3, int.Parse(values["inputs"].Value!, CultureInfo.InvariantCulture));
        Assert.Equal(0.05, double.Parse(values["learningRate"].Value!, CultureInfo.InvariantCulture), 1e-12);

        // A string that looks like YAML's null stays a string.
        Assert.Equal("null", values["label"].Value);
        Assert.Equal(YamlDotNet.Core.ScalarStyle.DoubleQuoted, values["label"].Style);
        Assert.True(File.Exists(Path.Combine(trainer.LogDir!, CsvLogger.FileName)));
    }

    [Fact]
    public void HyperparametersBeforeOpenAreRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new CsvLogger().LogHyperparameters(new System.Collections.Generic.Dictionary<string, object?>()));
        Assert.Contains("before Open", error.Message);
    }
}
