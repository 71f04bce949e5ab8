using System;
using System.Diagnostics;
using System.IO;
using TorchSharp;
using Volt.Data;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Data;

/// <summary>Loads the installed data set once for <see cref="FashionMnistRealDataTests"/>.</summary>
public sealed class InstalledFashionMnistFixture : IDisposable
{
    public InstalledFashionMnistFixture()
    {
        if (!File.Exists(Path.Combine(FashionMnist.SystemDirectory, "train-images-idx3-ubyte.gz"))
            && !File.Exists(Path.Combine(FashionMnist.SystemDirectory, "train-images-idx3-ubyte")))
        {
            throw new InvalidOperationException(
                $"These tests need Fashion-MNIST in {FashionMnist.SystemDirectory}: sudo apt-get install {FashionMnist.DebianPackage}");
        }

        var watch = Stopwatch.StartNew();
        Data = FashionMnist.Load(FashionMnist.SystemDirectory);
        LoadTime = watch.Elapsed;
    }

    public FashionMnistData Data { get; }

    public TimeSpan LoadTime { get; }

    public void Dispose() => Data.Dispose();
}

/// <summary>The real Fashion-MNIST from the Debian package (installed here and on CI).</summary>
public sealed class FashionMnistRealDataTests : IClassFixture<InstalledFashionMnistFixture>
{
    private readonly FashionMnistData data;
    private readonly InstalledFashionMnistFixture fixture;
    private readonly ITestOutputHelper output;

    public FashionMnistRealDataTests(InstalledFashionMnistFixture fixture, ITestOutputHelper output)
    {
        this.fixture = fixture;
        this.output = output;
        data = fixture.Data;
    }

    [Fact]
    public void Splits_have_the_expected_shapes_and_types()
    {
        Assert.Equal(Path.GetFullPath(FashionMnist.SystemDirectory), data.Directory);
        Assert.Equal(new long[] { 55000, 1, 28, 28 }, data.Train.Images.shape);
        Assert.Equal(new long[] { 55000 }, data.Train.Labels.shape);
        Assert.Equal(new long[] { 5000, 1, 28, 28 }, data.Validation.Images.shape);
        Assert.Equal(new long[] { 5000 }, data.Validation.Labels.shape);
        Assert.Equal(new long[] { 10000, 1, 28, 28 }, data.Test.Images.shape);
        Assert.Equal(new long[] { 10000 }, data.Test.Labels.shape);
        foreach (var set in new[] { data.Train, data.Validation, data.Test })
        {
            Assert.Equal(ScalarType.Float32, set.Images.dtype);
            Assert.Equal(ScalarType.Int64, set.Labels.dtype);
            Assert.Equal(DeviceType.CPU, set.Images.device_type);
        }

        output.WriteLine($"FashionMnist.Load took {fixture.LoadTime.TotalMilliseconds:F0} ms.");
        Assert.True(fixture.LoadTime < TimeSpan.FromSeconds(30), $"Loading took {fixture.LoadTime}.");
    }

    [Fact]
    public void Pixels_are_in_the_unit_range_and_labels_are_the_ten_classes()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var set in new[] { data.Train, data.Validation, data.Test })
        {
            Assert.Equal(0f, set.Images.min().item<float>());
            Assert.Equal(1f, set.Images.max().item<float>());
            Assert.Equal(0L, set.Labels.min().item<long>());
            Assert.Equal(9L, set.Labels.max().item<long>());

            // Every value is a multiple of 1/255.
            var scaled = set.Images * 255f;
            Assert.True(torch.allclose(scaled, scaled.round(), rtol: 0, atol: 1e-3));
        }

        // Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
        var trainCounts = torch.cat([data.Train.Labels, data.Validation.Labels]).bincount(null).data<long>().ToArray();
        var testCounts = data.Test.Labels.bincount(null).data<long>().ToArray();
        Assert.Equal(new long[] { 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000 }, trainCounts);
        Assert.Equal(new long[] { 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000 }, testCounts);

        // The first test image of the data set is an ankle boot.
        Assert.Equal(9L, data.Test.Labels[0].item<long>());
    }

    [Fact]
    public void Split_is_deterministic_and_matches_the_raw_files()
    {
        using var scope = torch.NewDisposeScope();
        string dir = data.Directory;
        string imagesPath = Path.Combine(dir, "train-images-idx3-ubyte.gz");
        string labelsPath = Path.Combine(dir, "train-labels-idx1-ubyte.gz");
        var rawImages = Idx.ReadImages(File.Exists(imagesPath) ? imagesPath : imagesPath[..^3]);
        var rawLabels = Idx.ReadLabels(File.Exists(labelsPath) ? labelsPath : labelsPath[..^3]);

        // The split is randperm(60000) from a generator seeded with splitSeed (0): the last 5,000 are validation.
        using var generator = new torch.Generator(0);
        var permutation = torch.randperm(60000, ScalarType.Int64, generator: generator);
        var validationIndices = permutation.narrow(0, 55000, 5000);
        var trainIndices = permutation.narrow(0, 0, 55000);
        var expectedValidation = rawImages.index_select(0, validationIndices).unsqueeze(1).to_type(ScalarType.Float32) / 255f;
        DataAssert.TensorsEqual(expectedValidation, data.Validation.Images);
        DataAssert.TensorsEqual(rawLabels.index_select(0, validationIndices).to_type(ScalarType.Int64), data.Validation.Labels);
        DataAssert.TensorsEqual(rawLabels.index_select(0, trainIndices).to_type(ScalarType.Int64), data.Train.Labels);
        var trainHead = rawImages.index_select(0, trainIndices.narrow(0, 0, 100)).unsqueeze(1).to_type(ScalarType.Float32) / 255f;
        DataAssert.TensorsEqual(trainHead, data.Train.Images.narrow(0, 0, 100));

        // The test set keeps the file's order.
        var testPath = Path.Combine(dir, "t10k-images-idx3-ubyte.gz");
        var rawTest = Idx.ReadImages(File.Exists(testPath) ? testPath : testPath[..^3]);
        DataAssert.TensorsEqual(rawTest.unsqueeze(1).to_type(ScalarType.Float32) / 255f, data.Test.Images);
    }

    [Fact]
    public void Loader_over_the_training_set_yields_full_batches()
    {
        var loader = data.Train.ToLoader(batchSize: 64, shuffle: true, seed: 1);
        Assert.Equal(860, loader.BatchCount);
        Assert.Equal(859, data.Train.ToLoader(batchSize: 64, shuffle: true, dropLast: true).BatchCount);
        using var epoch = loader.OpenEpoch(0, 0);
        using var scope = torch.NewDisposeScope();
        var batch = epoch.GetBatch(0);
        Assert.Equal(new long[] { 64, 1, 28, 28 }, batch.Images.shape);
        Assert.Equal(new long[] { 64 }, batch.Labels.shape);
        var last = epoch.GetBatch(859);
        Assert.Equal(55000 - (859 * 64), last.Labels.shape[0]);
    }
}
