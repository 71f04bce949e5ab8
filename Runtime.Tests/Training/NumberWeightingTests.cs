using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Training;

/// <summary>Plain numbers are weighted by batch size like tensors (Lightning turns them into tensors), in any call order.</summary>
public sealed class NumberWeightingTests : IDisposable
{
    private readonly TempRoot root = new();
    private readonly Tensor x = arange(10, ScalarType.Float32).reshape(10, 1);
    private readonly Tensor y = zeros(10, 1);

    [Fact]
    public void PlainNumbersAreWeightedByBatchSizeInAnyOrder()
    {
        using var module = new NumberProbe();
        using var loader = TestData.Loader(x, y, batchSize: 4, shuffle: false);
        var metrics = new Trainer(root.Options(maxEpochs: 1)).Validate(module, loader);

        // Values 1, 2, 3 over batches of 4, 4, 2: (4 + 8 + 6) / 10 = 1.8 in Lightning 2.2.5, not the plain mean 2.0.
        Assert.Equal(1.8, metrics["before_tensor"], 1e-12);
        Assert.Equal(1.8, metrics["after_tensor"], 1e-12);
        Assert.Equal(2.0, metrics["explicit_one"], 1e-12);
    }

    public void Dispose()
    {
        x.Dispose();
        y.Dispose();
        root.Dispose();
    }
}

/// <summary>Logs the 1-based batch number as a plain number, before and after a tensor.</summary>
public sealed partial class NumberProbe() : nn.Module<Tensor, Tensor>("numbers")
{
    private readonly TorchSharp.Modules.Linear linear = nn.Linear(1, 1);

    public override Tensor forward(Tensor input) => linear.forward(input);

    [ValidationStep]
    private void ValidationStep(XYBatch batch, int batchIndex)
    {
        Log("before_tensor", batchIndex + 1.0);
        Log("tensor", batch.X.mean());
        Log("after_tensor", batchIndex + 1.0);
        Log("explicit_one", batchIndex + 1.0, batchSize: 1);
    }
}
