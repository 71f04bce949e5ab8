using System.IO;
using Volt.Data;

namespace VoltClassifier;

/// <summary>
/// Fashion-MNIST (Zalando's 28×28 grey-scale images of clothing in ten classes) read from its four
/// IDX files in <c>root</c>: 55,000 training images, 5,000 held out for validation (a seeded split,
/// the same on every run) and the 10,000 test images for <c>test</c> and <c>predict</c>. Nothing is
/// downloaded. The constructor parameters are the <c>--data.*</c> options of the command line.
/// </summary>
/// <param name="root">The directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may end in .gz).</param>
/// <param name="batchSize">Images per training batch.</param>
/// <param name="evaluationBatchSize">Images per validation, test and prediction batch.</param>
public sealed class FashionData(string root = FashionMnist.SystemDirectory, int batchSize = 64, int evaluationBatchSize = 1000)
    : DataModule<ImageBatch>
{
    private FashionMnistData? data;
    private TensorDataLoader<ImageBatch>? train;
    private TensorDataLoader<ImageBatch>? validation;
    private TensorDataLoader<ImageBatch>? test;

    /// <inheritdoc />
    public override void Setup(Stage stage)
    {
        data ??= Load(root);
        train ??= data.Train.ToLoader(batchSize, shuffle: true);
        validation ??= data.Validation.ToLoader(evaluationBatchSize, shuffle: false);
        test ??= data.Test.ToLoader(evaluationBatchSize, shuffle: false);
    }

    /// <inheritdoc />
    public override IDataLoader<ImageBatch> TrainLoader() => train ?? throw NotSetUp();

    /// <inheritdoc />
    public override IDataLoader<ImageBatch>? ValidationLoader() => validation ?? throw NotSetUp();

    /// <inheritdoc />
    public override IDataLoader<ImageBatch>? TestLoader() => test ?? throw NotSetUp();

    /// <inheritdoc />
    public override IDataLoader<ImageBatch>? PredictLoader() => test ?? throw NotSetUp();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        train?.Dispose();
        validation?.Dispose();
        test?.Dispose();
        data?.Dispose();
    }

    private static FashionMnistData Load(string root)
    {
        try
        {
            return FashionMnist.Load(root);
        }
        catch (FashionMnistNotFoundException missing)
        {
            // Says the same as the exception it replaces (where it looked and what was wrong), with this program's option.
            throw new DirectoryNotFoundException(
                $"Fashion-MNIST is not in {root} (--data.root): {string.Join("; ", missing.SearchedLocations)}. "
                + $"On Debian or Ubuntu, `sudo apt-get install {FashionMnist.DebianPackage}` installs it into {FashionMnist.SystemDirectory}. "
                + "Or download the four .gz files from https://github.com/zalandoresearch/fashion-mnist (data/fashion) into a directory and pass --data.root DIR.");
        }
    }

    private System.InvalidOperationException NotSetUp()
        => new($"{nameof(FashionData)}: Setup has not run; the trainer calls it before asking for a loader.");
}
