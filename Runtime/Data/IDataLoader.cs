using System;

namespace Volt.Data;

/// <summary>
/// A source of batches for one phase (training, validation, test or predict).
/// The generated loop asks for one epoch at a time and then for batches by index,
/// so a batch is created inside the step's dispose scope and freed when the step ends.
/// </summary>
/// <typeparam name="TBatch">The batch type the module's step method takes.</typeparam>
public interface IDataLoader<TBatch>
{
    /// <summary>The number of batches in one epoch (Lightning's <c>len(dataloader)</c>).</summary>
    int BatchCount { get; }

    /// <summary>The number of samples in the data set.</summary>
    long SampleCount { get; }

    /// <summary>
    /// Opens one epoch. A shuffling loader draws the epoch's order from a generator seeded with
    /// its own seed (or <paramref name="defaultSeed"/> when it has none) and the epoch number,
    /// so the order of epoch <c>e</c> is the same in every run with the same seed, and an epoch
    /// can be re-opened (for a resume) without replaying earlier ones.
    /// </summary>
    /// <param name="epoch">The 0-based epoch number.</param>
    /// <param name="defaultSeed">The seed used when the loader was created without one.</param>
    /// <returns>The epoch's batches; dispose it when the epoch ends.</returns>
    IEpochBatches<TBatch> OpenEpoch(int epoch, long defaultSeed);
}

/// <summary>The batches of one opened epoch, addressed by index.</summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
public interface IEpochBatches<TBatch> : IDisposable
{
    /// <summary>The number of batches in this epoch.</summary>
    int Count { get; }

    /// <summary>
    /// Creates batch <paramref name="batchIndex"/> (0-based). Its tensors are new and belong to
    /// the caller's current dispose scope.
    /// </summary>
    TBatch GetBatch(int batchIndex);
}
