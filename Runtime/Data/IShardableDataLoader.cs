namespace Volt.Data;

/// <summary>
/// A loader that can give one process its share of every epoch under data-parallel training (what
/// Lightning does by injecting a <c>DistributedSampler</c>). The trainer shards the training, validation
/// and test loaders through this interface when the strategy has more than one process; a loader that
/// is already sharded by its author returns itself.
/// </summary>
/// <typeparam name="TBatch">The batch type.</typeparam>
public interface IShardableDataLoader<TBatch> : IDataLoader<TBatch>
{
    /// <summary>
    /// Returns the loader of <paramref name="shard"/>'s samples: each epoch the same order as this loader
    /// (the seed passed to <see cref="IDataLoader{TBatch}.OpenEpoch"/> must be the same on every process),
    /// split with <see cref="DistributedShard"/>'s semantics, so every process has the same batch count.
    /// </summary>
    /// <param name="shard">This process's rank and the world size.</param>
    /// <returns>The shard's loader; it shares this loader's data and does not own it.</returns>
    IDataLoader<TBatch> Shard(DistributedShard shard);
}
