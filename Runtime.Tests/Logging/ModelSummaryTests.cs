using System.Linq;
using FashionMnistSample;
using TorchSharp;
using Volt.Logging;

namespace Volt.Runtime.Tests.Logging;

/// <summary>The summary's counts on the sample's networks, computed here from the layer sizes.</summary>
public sealed class ModelSummaryTests
{
    [Fact]
    public void TheMlpsLayersAndTotalsMatchItsLayerSizes()
    {
        const int hidden = 64;
        using var network = Networks.Create("mlp", hidden);
        var summary = ModelSummary.Of(network);

        long hiddenParameters = (28 * 28 * hidden) + hidden, outputParameters = (hidden * 10) + 10;
        Assert.Equal(
            [new("hidden", "Linear", hiddenParameters, "[*, 64]"), new ModelSummaryLayer("output", "Linear", outputParameters, "[*, 10]")],
            summary.Layers);
        Assert.Equal(hiddenParameters + outputParameters, summary.TotalParameters);
        Assert.Equal(hiddenParameters + outputParameters, summary.TrainableParameters);
        Assert.Equal(0, summary.NonTrainableParameters);
        Assert.Equal((hiddenParameters + outputParameters) * 4 / 1e6, summary.SizeMegabytes, tolerance: 1e-12);
    }

    [Fact]
    public void TheCnnsLayersIncludeParameterlessOnesWithUnknownShapes()
    {
        using var network = Networks.Create("cnn", 0);
        var summary = ModelSummary.Of(network);

        long conv1 = (1 * 32 * 5 * 5) + 32, conv2 = (32 * 64 * 5 * 5) + 64, hidden = (64 * 7 * 7 * 256) + 256, output = (256 * 10) + 10;
        Assert.Equal(
            [
                new("conv1", "Conv2d", conv1, "[*, 32, *, *]"),
                new("conv2", "Conv2d", conv2, "[*, 64, *, *]"),
                new("pool", "MaxPool2d", 0, "?"),
                new("hidden", "Linear", hidden, "[*, 256]"),
                new ModelSummaryLayer("output", "Linear", output, "[*, 10]"),
            ],
            summary.Layers);
        Assert.Equal(conv1 + conv2 + hidden + output, summary.TotalParameters);
    }

    [Fact]
    public void FrozenParametersCountAsNonTrainable()
    {
        using var network = Networks.Create("mlp", 8);
        foreach (var parameter in network.named_parameters().Where(p => p.name.StartsWith("output.", System.StringComparison.Ordinal)))
        {
            parameter.parameter.requires_grad = false;
        }

        var summary = ModelSummary.Of(network);
        Assert.Equal((8 * 10) + 10, summary.NonTrainableParameters);
        Assert.Equal((28 * 28 * 8) + 8, summary.TrainableParameters);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(50, "50")]
    [InlineData(3140, "3.1 K")]
    [InlineData(50890, "50.9 K")]
    [InlineData(203786, "203 K")]
    [InlineData(1234567, "1.2 M")]
    public void CountsReadAsInLightning(long count, string expected) => Assert.Equal(expected, ModelSummary.ReadableCount(count));

    [Fact]
    public void ThePlainTextIsATableWithTotals()
    {
        using var network = Networks.Create("mlp", 4);
        Assert.Equal(
            "  | Name   | Type   | Params | Out shape\n"
            + "----------------------------------------\n"
            + "0 | hidden | Linear | 3.1 K  | [*, 4]\n"
            + "1 | output | Linear | 50     | [*, 10]\n"
            + "----------------------------------------\n"
            + "3.2 K     Trainable params\n"
            + "0         Non-trainable params\n"
            + "3.2 K     Total params\n"
            + "0.013     Total estimated model params size (MB)\n",
            ModelSummary.Of(network).ToText());
    }
}
