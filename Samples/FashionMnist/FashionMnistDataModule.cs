using System.Collections.Generic;
using System.IO;
using Volt.Data;

namespace FashionMnistSample;

/// <summary>
/// Fashion-MNIST as a data module: <see cref="Prepare"/> finds the four IDX files (global rank 0),
/// <see cref="Setup"/> loads them once and splits the training images into training and validation
/// sets by a permutation seeded with <c>splitSeed</c>. The training loader shuffles with the trainer's
/// seed (<c>--trainer.seed</c>, alias <c>--seed</c>); the validation, test and prediction loaders keep
/// the file order. The constructor's parameters are the <c>--data.*</c> options and the data module's
/// hyperparameters (saved in hparams.json next to the classifier's).
/// </summary>
/// <param name="root">The directory of the IDX files; null looks in $FASHION_MNIST_DIR, then /usr/share/datasets/fashion-mnist.</param>
/// <param name="batchSize">Images per training batch.</param>
/// <param name="evaluationBatchSize">Images per validation, test and prediction batch.</param>
/// <param name="validationSize">Training images held out for validation.</param>
/// <param name="splitSeed">The seed of the validation split.</param>
public sealed class FashionMnistDataModule(
    string? root = null,
    int batchSize = 64,
    int evaluationBatchSize = 1000,
    int validationSize = 5000,
    long splitSeed = 42)
    : DataModule<ImageBatch>
{
    private FashionMnistData? data;
    private TensorDataLoader<ImageBatch>? train;
    private TensorDataLoader<ImageBatch>? validation;
    private TensorDataLoader<ImageBatch>? test;
    private TensorDataLoader<ImageBatch>? predict;

    /// <summary>Where <see cref="Setup"/> reports the directory and the split sizes when it loads the files; null says nothing.</summary>
    public TextWriter? Log { get; set; }

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, object?> Hyperparameters => new Dictionary<string, object?>
    {
        ["root"] = root,
        ["batchSize"] = batchSize,
        ["evaluationBatchSize"] = evaluationBatchSize,
        ["validationSize"] = validationSize,
        ["splitSeed"] = splitSeed,
    };

    /// <summary>Checks that the IDX files exist (nothing is downloaded); the error lists every place searched.</summary>
    /// <exception cref="FashionMnistNotFoundException">The files are in none of the places.</exception>
    public override void Prepare() => FashionMnist.FindDirectory(root);

    /// <summary>Loads and splits the files the first time; later calls keep them.</summary>
    /// <param name="stage">The trainer call about to run.</param>
    public override void Setup(Stage stage)
    {
        if (data is not null)
        {
            return;
        }

        data = FashionMnist.Load(root, validationSize, splitSeed);
        Log?.WriteLine($"Fashion-MNIST from {data.Directory}: {data.Train.Count} train, {data.Validation.Count} validation, {data.Test.Count} test images");
        train = data.Train.ToLoader(batchSize, shuffle: true);
        validation = data.Validation.ToLoader(evaluationBatchSize, shuffle: false);
        test = data.Test.ToLoader(evaluationBatchSize, shuffle: false);
        predict = data.Test.ToLoader(evaluationBatchSize, shuffle: false);
    }

    /// <inheritdoc />
    public override IDataLoader<ImageBatch> TrainLoader() => train ?? throw NotSetUp();

    /// <inheritdoc />
    public override IDataLoader<ImageBatch> ValidationLoader() => validation ?? throw NotSetUp();

    /// <inheritdoc />
    public override IDataLoader<ImageBatch> TestLoader() => test ?? throw NotSetUp();

    /// <summary>The test images in file order (their labels are not used).</summary>
    /// <returns>The loader.</returns>
    public override IDataLoader<ImageBatch> PredictLoader() => predict ?? throw NotSetUp();

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        train?.Dispose();
        validation?.Dispose();
        test?.Dispose();
        predict?.Dispose();
        data?.Dispose();
    }

    private static System.InvalidOperationException NotSetUp()
        => new($"{nameof(FashionMnistDataModule)}: Setup has not run; the trainer calls it (trainer.Fit(module, dataModule)), or call Setup(stage) before asking for a loader.");
}
