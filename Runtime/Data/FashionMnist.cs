using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Data;

/// <summary>
/// The Fashion-MNIST data set (Zalando's 28×28 grey-scale images of clothing in ten classes: 60,000 for
/// training, 10,000 for testing), read from local IDX files. Nothing is downloaded: the files come from
/// the Debian package <see cref="DebianPackage"/> or from a directory you name.
/// </summary>
public static class FashionMnist
{
    /// <summary>The Debian package that installs the data set into <see cref="SystemDirectory"/>.</summary>
    public const string DebianPackage = "dataset-fashion-mnist";

    /// <summary>The environment variable that can name the directory holding the data set.</summary>
    public const string EnvironmentVariable = "FASHION_MNIST_DIR";

    /// <summary>Where <see cref="DebianPackage"/> installs the data set.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    private const string TrainImagesFile = "train-images-idx3-ubyte";
    private const string TrainLabelsFile = "train-labels-idx1-ubyte";
    private const string TestImagesFile = "t10k-images-idx3-ubyte";
    private const string TestLabelsFile = "t10k-labels-idx1-ubyte";
    private const int ImageSide = 28;

    private static readonly string[] RequiredFiles = [TrainImagesFile, TrainLabelsFile, TestImagesFile, TestLabelsFile];

    /// <summary>The names of the ten classes, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);

    /// <summary>
    /// Finds a directory holding the four IDX files (<c>train-images-idx3-ubyte</c>,
    /// <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>, <c>t10k-labels-idx1-ubyte</c>, each
    /// either uncompressed or with a <c>.gz</c> suffix). When <paramref name="explicitDirectory"/> is given,
    /// only it is searched: an explicit path is never replaced by another. Otherwise it looks in the
    /// directory named by <see cref="EnvironmentVariable"/> (when set), then in <see cref="SystemDirectory"/>,
    /// and returns the first that has all four files.
    /// </summary>
    /// <param name="explicitDirectory">A directory to look in first, such as a <c>--data</c> option's value; may be <see langword="null"/>.</param>
    /// <returns>The full path of the directory.</returns>
    /// <exception cref="FashionMnistNotFoundException">No place has the four files; the message lists each place and what was wrong, and how to install the data set.</exception>
    public static string FindDirectory(string? explicitDirectory)
        => FindDirectory(explicitDirectory, Environment.GetEnvironmentVariable(EnvironmentVariable), SystemDirectory);

    /// <summary>
    /// Loads the data set: the training images are split into <see cref="FashionMnistData.Train"/> and
    /// <see cref="FashionMnistData.Validation"/> by a permutation drawn from a <see cref="torch.Generator"/>
    /// seeded with <paramref name="splitSeed"/>: its first <c>60000 - validationSize</c> indices are the
    /// training set and the last <paramref name="validationSize"/> the validation set (in permutation order,
    /// as PyTorch's <c>random_split</c> does), so the split depends only on the seed.
    /// Images become float32 <c>[N, 1, 28, 28]</c> divided by 255; labels become int64 <c>[N]</c>.
    /// </summary>
    /// <param name="directory">A directory to look in first (see <see cref="FindDirectory(string?)"/>); may be <see langword="null"/>.</param>
    /// <param name="validationSize">How many training images to hold out for validation; 0 or more and less than their number (60,000).</param>
    /// <param name="splitSeed">The seed of the validation split.</param>
    /// <returns>The data, which owns all its tensors (they belong to no dispose scope); dispose it to free them.</returns>
    /// <exception cref="FashionMnistNotFoundException">The files were not found.</exception>
    /// <exception cref="InvalidDataException">A file is damaged or does not have the expected shape; the message names it.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationSize"/> is out of range.</exception>
    public static FashionMnistData Load(string? directory = null, int validationSize = 5000, long splitSeed = 0)
    {
        if (validationSize < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(validationSize), validationSize, $"{nameof(validationSize)} must not be negative, but it is {validationSize}.");
        }

        string found = FindDirectory(directory);
        using var scope = torch.NewDisposeScope();

        var (trainImages, trainLabels) = ReadPair(found, TrainImagesFile, TrainLabelsFile);
        var (testImages, testLabels) = ReadPair(found, TestImagesFile, TestLabelsFile);

        long total = trainImages.shape[0];
        if (validationSize >= total)
        {
            throw new ArgumentOutOfRangeException(
                nameof(validationSize),
                validationSize,
                $"{nameof(validationSize)} must be less than the {total} training images in {found}, but it is {validationSize}.");
        }

        long trainCount = total - validationSize;
        Tensor permutation;
        using (var generator = new torch.Generator(unchecked((ulong)splitSeed)))
        {
            permutation = torch.randperm(total, ScalarType.Int64, generator: generator);
        }

        var trainIndices = permutation.narrow(0, 0, trainCount);
        var validationIndices = permutation.narrow(0, trainCount, validationSize);

        var trainX = ToFloatImages(trainImages.index_select(0, trainIndices));
        var trainY = trainLabels.index_select(0, trainIndices).to_type(ScalarType.Int64);
        var validationX = ToFloatImages(trainImages.index_select(0, validationIndices));
        var validationY = trainLabels.index_select(0, validationIndices).to_type(ScalarType.Int64);
        var testX = ToFloatImages(testImages);
        var testY = testLabels.to_type(ScalarType.Int64);

        // The LabeledImages constructors detach the tensors from the scope; everything else is freed with it.
        return new FashionMnistData(
            found,
            new LabeledImages(trainX, trainY),
            new LabeledImages(validationX, validationY),
            new LabeledImages(testX, testY));
    }

    /// <summary>The search behind <see cref="FindDirectory(string?)"/>, with the environment and system directory given.</summary>
    internal static string FindDirectory(string? explicitDirectory, string? environmentValue, string systemDirectory)
    {
        var searched = new List<string>(3);
        if (explicitDirectory is not null)
        {
            // An explicit directory is never replaced by another one: a typo must not train on other data.
            return Check(explicitDirectory, $"the given directory {explicitDirectory}", searched) ?? throw NotFound(searched);
        }

        if (string.IsNullOrEmpty(environmentValue))
        {
            searched.Add($"${EnvironmentVariable}: not set");
        }
        else if (Check(environmentValue, $"${EnvironmentVariable} = {environmentValue}", searched) is string path)
        {
            return path;
        }

        if (Check(systemDirectory, $"the system directory {systemDirectory}", searched) is string systemPath)
        {
            return systemPath;
        }

        throw NotFound(searched);
    }

    private static FashionMnistNotFoundException NotFound(List<string> searched)
    {
        var message = new StringBuilder("Fashion-MNIST was not found. Looked in:");
        foreach (string place in searched)
        {
            message.Append(Environment.NewLine).Append("  - ").Append(place);
        }

        message.Append(Environment.NewLine)
            .Append("Install it with `sudo apt-get install ").Append(DebianPackage).Append("` (into ").Append(SystemDirectory)
            .Append("), or set ").Append(EnvironmentVariable).Append(" to a directory holding the four IDX files, or pass --data DIR.");
        return new FashionMnistNotFoundException(message.ToString(), searched.AsReadOnly());
    }

    private static string? Check(string directory, string description, List<string> searched)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            searched.Add($"{description}: the directory does not exist");
            return null;
        }

        List<string>? missing = null;
        foreach (string name in RequiredFiles)
        {
            if (ResolveFile(directory, name) is null)
            {
                (missing ??= []).Add(name + "(.gz)");
            }
        }

        if (missing is not null)
        {
            searched.Add($"{description}: missing {string.Join(", ", missing)}");
            return null;
        }

        return Path.GetFullPath(directory);
    }

    /// <summary>The uncompressed file when present (it reads faster), else the <c>.gz</c> one, else null.</summary>
    private static string? ResolveFile(string directory, string name)
    {
        string raw = Path.Combine(directory, name);
        if (File.Exists(raw))
        {
            return raw;
        }

        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    /// <summary>Reads an image file and its label file and checks that they match.</summary>
    private static (Tensor Images, Tensor Labels) ReadPair(string directory, string imagesName, string labelsName)
    {
        string imagesPath = ResolveFile(directory, imagesName) ?? throw new FileNotFoundException($"{Path.Combine(directory, imagesName)}(.gz) disappeared while loading.");
        string labelsPath = ResolveFile(directory, labelsName) ?? throw new FileNotFoundException($"{Path.Combine(directory, labelsName)}(.gz) disappeared while loading.");
        var images = Idx.ReadImages(imagesPath);
        if (images.shape[1] != ImageSide || images.shape[2] != ImageSide)
        {
            throw new InvalidDataException(
                $"{imagesPath}: expected images of {ImageSide}×{ImageSide} pixels, but the file holds [{string.Join(", ", images.shape)}].");
        }

        var labels = Idx.ReadLabels(labelsPath);
        if (labels.shape[0] != images.shape[0])
        {
            throw new InvalidDataException($"{labelsPath}: size mismatch: it holds {labels.shape[0]} labels, but {imagesPath} holds {images.shape[0]} images.");
        }

        if (labels.numel() > 0)
        {
            byte largest = labels.max().item<byte>();
            if (largest >= ClassNames.Count)
            {
                throw new InvalidDataException($"{labelsPath}: a label is {largest}, but Fashion-MNIST has only labels 0 to {ClassNames.Count - 1}.");
            }
        }

        return (images, labels);
    }

    /// <summary>uint8 <c>[N, 28, 28]</c> to float32 <c>[N, 1, 28, 28]</c> in [0, 1], as torchvision's <c>ToTensor</c>.</summary>
    private static Tensor ToFloatImages(Tensor images)
        => images.unsqueeze(1).to_type(ScalarType.Float32).div_(255f);
}

/// <summary>The Fashion-MNIST splits loaded by <see cref="FashionMnist.Load"/>; it owns all their tensors.</summary>
public sealed class FashionMnistData : IDisposable
{
    internal FashionMnistData(string directory, LabeledImages train, LabeledImages validation, LabeledImages test)
    {
        Directory = directory;
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>The directory the files were read from (a full path).</summary>
    public string Directory { get; }

    /// <summary>The training images that are not held out for validation.</summary>
    public LabeledImages Train { get; }

    /// <summary>The training images held out for validation.</summary>
    public LabeledImages Validation { get; }

    /// <summary>The 10,000 test images.</summary>
    public LabeledImages Test { get; }

    /// <summary>Frees the tensors of all three splits.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}

/// <summary>
/// Thrown when Fashion-MNIST is in none of the places <see cref="FashionMnist.FindDirectory(string?)"/> looks.
/// The message lists every place and what was wrong there, and how to install the data set.
/// </summary>
public sealed class FashionMnistNotFoundException : DirectoryNotFoundException
{
    internal FashionMnistNotFoundException(string message, IReadOnlyList<string> searchedLocations)
        : base(message)
    {
        SearchedLocations = searchedLocations;
    }

    /// <summary>Each place that was searched, with what was wrong there, in search order.</summary>
    public IReadOnlyList<string> SearchedLocations { get; }
}
