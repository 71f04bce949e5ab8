using System.IO;
using System.Linq;
using System.Text.Json;
using TorchSharp;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>Inherited and overridden steps run through one generated loop; batch collections are moved; array hyperparameters round-trip.</summary>
public sealed class InheritanceAndCollectionTests() : TrainingTest(samples: 64)
{
    [Fact]
    public void DerivedModuleRunsItsOverridesThroughTheBaseLoopAndKeepsTheInheritedValidation()
    {
        using var module = new SpecializedRegression();
        using var train = TestData.Loader(X, Y, batchSize: 32, shuffle: false);
        using var validation = TestData.Loader(X, Y, batchSize: 64, shuffle: false);
        var before = module.parameters().First().detach().clone();

        var trainer = new Trainer(Root.Options(maxEpochs: 1) with { NumSanityValSteps = 0 });
        trainer.Fit(module, train, validation);

        Assert.Equal(["derived optimizers", "derived training step", "derived training step", "base validation step"], module.Calls);
        Assert.Contains("derived_loss", trainer.CallbackMetrics.Keys);
        Assert.Contains("val_loss", trainer.CallbackMetrics.Keys);
        Assert.False(module.parameters().First().allclose(before), "the derived optimizer (lr 0.1) did not change the weights");
    }

    [Fact]
    public void TensorsInsideArraysListsAndDictionariesAreTransferred()
    {
        using var module = new CollectionModule([4, 2], ["a"]);
        using var train = TensorDataLoader.Create(X, Y, 32, (x, y) => new CollectionBatch([x], [y], new() { ["x"] = x }), shuffle: false);

        new Trainer(Root.Options(maxEpochs: 1) with { Precision = "bf16-true" }).Fit(module, train);

        Assert.Equal(2 * 4, module.SeenDtypes.Count);
        Assert.All(module.SeenDtypes, dtype => Assert.Equal(ScalarType.BFloat16, dtype));
    }

    [Fact]
    public void ArrayHyperparametersRoundTripThroughHparamsJson()
    {
        using var module = new CollectionModule([4, 2, 1], ["wide", "deep"], [0.5, 2.0]);
        var directory = Directory.CreateDirectory(Path.Combine(Root.Path, "hparams")).FullName;
        var path = module.SaveHyperparameters(directory);

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal([4, 2, 1], json.RootElement.GetProperty("widths").EnumerateArray().Select(e => e.GetInt32()));
        var restored = CollectionModule.Hyperparameters.FromJson(json.RootElement);
        Assert.Equal([4, 2, 1], restored.Widths);
        Assert.Equal(["wide", "deep"], restored.Tags);
        Assert.Equal([0.5, 2.0], restored.Scales!);

        using var rebuilt = CollectionModule.FromHyperparameters(restored with { Scales = null });
        Assert.Equal([4, 2, 1], rebuilt.Widths);
        Assert.True(rebuilt.GetHyperparameters().Scales is null);
    }
}
