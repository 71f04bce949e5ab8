using System;
using System.IO;
using System.Linq;
using TorchSharp;
using Volt.Data;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Data;

/// <summary>Finding and loading Fashion-MNIST, on tiny fake files written to a temporary directory.</summary>
public sealed class FashionMnistTests : IDisposable
{
    private static readonly string[] FileNames =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private readonly DataTempDirectory temp = new();

    public void Dispose() => temp.Dispose();

    private string NewDirectory(string name)
    {
        string path = temp.File(name);
        Directory.CreateDirectory(path);
        return path;
    }

    [Fact]
    public void Constants_name_the_package_variable_and_directory()
    {
        Assert.Equal("dataset-fashion-mnist", FashionMnist.DebianPackage);
        Assert.Equal("FASHION_MNIST_DIR", FashionMnist.EnvironmentVariable);
        Assert.Equal("/usr/share/datasets/fashion-mnist", FashionMnist.SystemDirectory);
        Assert.Equal(10, FashionMnist.ClassNames.Count);
        Assert.Equal("Ankle boot", FashionMnist.ClassNames[9]);
        Assert.IsNotType<string[]>(FashionMnist.ClassNames);
    }

    [Fact]
    public void FindDirectory_accepts_an_explicit_directory_with_raw_and_gz_files()
    {
        string dir = NewDirectory("mixed");
        for (int i = 0; i < FileNames.Length; i++)
        {
            File.WriteAllBytes(Path.Combine(dir, FileNames[i] + (i % 2 == 0 ? ".gz" : string.Empty)), [0]);
        }

        Assert.Equal(Path.GetFullPath(dir), FashionMnist.FindDirectory(dir));
        Assert.Equal(Path.GetFullPath(dir), FashionMnist.FindDirectory(dir, environmentValue: null, systemDirectory: temp.File("nowhere")));
    }

    [Fact]
    public void FindDirectory_searches_the_explicit_directory_only_else_environment_then_system()
    {
        string explicitDir = NewDirectory("explicit");
        string envDir = NewDirectory("env");
        string systemDir = NewDirectory("system");
        IdxFiles.WriteFakeFashionMnist(envDir, 2, 1, gzip: true);
        IdxFiles.WriteFakeFashionMnist(systemDir, 2, 1, gzip: false);

        // An explicit directory without the files fails; it never falls back to another data set.
        var explicitMissing = Assert.Throws<FashionMnistNotFoundException>(() => FashionMnist.FindDirectory(explicitDir, envDir, systemDir));
        Assert.Contains(explicitDir, explicitMissing.Message);
        Assert.Single(explicitMissing.SearchedLocations);
        Assert.Equal(envDir, FashionMnist.FindDirectory(null, envDir, systemDir));
        Assert.Equal(systemDir, FashionMnist.FindDirectory(null, null, systemDir));
        Assert.Equal(systemDir, FashionMnist.FindDirectory(null, string.Empty, systemDir));

        IdxFiles.WriteFakeFashionMnist(explicitDir, 2, 1, gzip: false);
        Assert.Equal(explicitDir, FashionMnist.FindDirectory(explicitDir, envDir, systemDir));
    }

    [Fact]
    public void Missing_data_set_lists_every_place_and_how_to_install()
    {
        string explicitDir = temp.File("does-not-exist");
        string systemDir = NewDirectory("partial");
        File.WriteAllBytes(Path.Combine(systemDir, "train-images-idx3-ubyte.gz"), [0]);
        File.WriteAllBytes(Path.Combine(systemDir, "t10k-labels-idx1-ubyte"), [0]);

        var e = Assert.Throws<FashionMnistNotFoundException>(() => FashionMnist.FindDirectory(explicitDir, null, systemDir));
        Assert.IsAssignableFrom<DirectoryNotFoundException>(e);
        Assert.Contains(explicitDir, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Single(e.SearchedLocations);

        e = Assert.Throws<FashionMnistNotFoundException>(() => FashionMnist.FindDirectory(null, null, systemDir));
        Assert.Contains("$FASHION_MNIST_DIR: not set", e.Message);
        Assert.Contains(systemDir, e.Message);
        Assert.Contains("missing train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz)", e.Message);
        Assert.DoesNotContain("missing train-images", e.Message);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("--data", e.Message);
        Assert.Equal(2, e.SearchedLocations.Count);

        string envDir = temp.File("env-missing");
        var withEnv = Assert.Throws<FashionMnistNotFoundException>(() => FashionMnist.FindDirectory(null, envDir, systemDir));
        Assert.Contains($"$FASHION_MNIST_DIR = {envDir}: the directory does not exist", withEnv.Message);
        Assert.Equal(2, withEnv.SearchedLocations.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Load_splits_scales_and_converts(bool gzip)
    {
        string dir = NewDirectory("fake");
        IdxFiles.WriteFakeFashionMnist(dir, trainCount: 30, testCount: 7, gzip);

        using var data = FashionMnist.Load(dir, validationSize: 8, splitSeed: 11);
        Assert.Equal(Path.GetFullPath(dir), data.Directory);
        Assert.Equal(new long[] { 22, 1, 28, 28 }, data.Train.Images.shape);
        Assert.Equal(new long[] { 8, 1, 28, 28 }, data.Validation.Images.shape);
        Assert.Equal(new long[] { 7, 1, 28, 28 }, data.Test.Images.shape);
        Assert.Equal(22, data.Train.Count);
        Assert.Equal(ScalarType.Float32, data.Train.Images.dtype);
        Assert.Equal(ScalarType.Int64, data.Train.Labels.dtype);
        Assert.Equal(ScalarType.Int64, data.Test.Labels.dtype);

        using var scope = torch.NewDisposeScope();

        // Fake image i is filled with the value i and has label i % 10; the test set keeps its order.
        long[] testIndices = OriginalIndices(data.Test);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), testIndices);
        Assert.Equal(6f / 255f, data.Test.Images[6, 0, 27, 27].item<float>());

        long[] train = OriginalIndices(data.Train);
        long[] validation = OriginalIndices(data.Validation);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), train.Concat(validation).Order());
        Assert.NotEqual(Enumerable.Range(0, 22).Select(i => (long)i), train);
    }

    [Fact]
    public void Load_split_depends_only_on_the_seed()
    {
        string raw = NewDirectory("raw");
        string gz = NewDirectory("gz");
        IdxFiles.WriteFakeFashionMnist(raw, trainCount: 40, testCount: 3, gzip: false);
        IdxFiles.WriteFakeFashionMnist(gz, trainCount: 40, testCount: 3, gzip: true);

        long[] Split(string dir, long seed)
        {
            using var data = FashionMnist.Load(dir, validationSize: 10, splitSeed: seed);
            using var scope = torch.NewDisposeScope();
            return OriginalIndices(data.Validation);
        }

        Assert.Equal(Split(raw, 1), Split(gz, 1));
        Assert.Equal(Split(raw, 1), Split(raw, 1));
        Assert.NotEqual(Split(raw, 1), Split(raw, 2));
    }

    [Fact]
    public void Load_tensors_outlive_the_callers_scope_until_disposed()
    {
        string dir = NewDirectory("scoped");
        IdxFiles.WriteFakeFashionMnist(dir, trainCount: 12, testCount: 2, gzip: false);

        FashionMnistData data;
        using (torch.NewDisposeScope())
        {
            data = FashionMnist.Load(dir, validationSize: 2);
        }

        Assert.False(data.Train.Images.IsInvalid);
        Assert.False(data.Validation.Labels.IsInvalid);
        Assert.False(data.Test.Images.IsInvalid);
        data.Dispose();
        Assert.True(data.Train.Images.IsInvalid);
        Assert.True(data.Validation.Labels.IsInvalid);
        Assert.True(data.Test.Images.IsInvalid);
    }

    [Fact]
    public void Load_rejects_bad_validation_sizes_and_bad_files()
    {
        string dir = NewDirectory("small");
        IdxFiles.WriteFakeFashionMnist(dir, trainCount: 5, testCount: 2, gzip: false);
        Assert.Equal("validationSize", Assert.Throws<ArgumentOutOfRangeException>(() => FashionMnist.Load(dir, validationSize: 5)).ParamName);
        Assert.Equal("validationSize", Assert.Throws<ArgumentOutOfRangeException>(() => FashionMnist.Load(dir, validationSize: -1)).ParamName);

        string labels = Path.Combine(dir, "t10k-labels-idx1-ubyte");
        IdxFiles.Write(labels, Idx.LabelsMagic, [3], [0, 1, 2]);
        var mismatch = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir, validationSize: 1));
        Assert.Contains(labels, mismatch.Message);
        Assert.Contains("size mismatch", mismatch.Message);

        IdxFiles.Write(labels, Idx.LabelsMagic, [2], [0, 10]);
        var badLabel = Assert.Throws<InvalidDataException>(() => FashionMnist.Load(dir, validationSize: 1));
        Assert.Contains(labels, badLabel.Message);
    }

    [Fact]
    public void ToLoader_borrows_the_tensors()
    {
        string dir = NewDirectory("loader");
        IdxFiles.WriteFakeFashionMnist(dir, trainCount: 10, testCount: 5, gzip: false);
        using var data = FashionMnist.Load(dir, validationSize: 0);
        Assert.Equal(0, data.Validation.Count);

        var loader = data.Test.ToLoader(batchSize: 2, shuffle: false);
        Assert.False(loader.OwnsTensors);
        Assert.Equal(3, loader.BatchCount);
        using (var epoch = loader.OpenEpoch(0, 0))
        using (torch.NewDisposeScope())
        {
            var batch = epoch.GetBatch(2);
            Assert.Equal(new long[] { 1, 1, 28, 28 }, batch.Images.shape);
            Assert.Equal(4L, batch.Labels.item<long>());
        }

        loader.Dispose();
        Assert.False(data.Test.Images.IsInvalid);
        Assert.Equal(5, data.Train.ToLoader(batchSize: 2, shuffle: true, dropLast: true, seed: 1).BatchCount);
        Assert.Equal(0, data.Validation.ToLoader(batchSize: 2, shuffle: true).BatchCount);
    }

    /// <summary>Recovers the fake files' sample indices from the pixel values, checking each label matches.</summary>
    private static long[] OriginalIndices(LabeledImages set)
    {
        using var firstPixel = set.Images[.., 0, 0, 0];
        using var scaled = firstPixel * 255f;
        using var rounded = scaled.round();
        using var indices = rounded.to_type(ScalarType.Int64);
        long[] result = indices.data<long>().ToArray();
        long[] labels = set.Labels.data<long>().ToArray();
        for (int i = 0; i < result.Length; i++)
        {
            Assert.Equal(result[i] % 10, labels[i]);
        }

        using var constant = set.Images.amax(1, 2, 3).sub(set.Images.amin(1, 2, 3));
        Assert.Equal(0f, constant.max().item<float>());
        return result;
    }
}
