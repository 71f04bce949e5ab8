using System;
using Volt.Strategies;

namespace Volt.Data;

/// <summary>Gives each process of a data-parallel strategy its shard of a loader (Lightning's DistributedSampler injection).</summary>
internal static class DataSharding
{
    /// <summary>
    /// <paramref name="loader"/> itself on one process; its <see cref="IShardableDataLoader{TBatch}.Shard"/>
    /// for this rank on several.
    /// </summary>
    /// <exception cref="ArgumentException">Several processes train and the loader cannot be sharded.</exception>
    public static IDataLoader<TBatch> ForStrategy<TBatch>(IDataLoader<TBatch> loader, Strategy strategy, string role)
    {
        if (strategy.WorldSize == 1)
        {
            return loader;
        }

        if (loader is IShardableDataLoader<TBatch> shardable)
        {
            return shardable.Shard(new DistributedShard(strategy.GlobalRank, strategy.WorldSize));
        }

        throw new ArgumentException(
            $"The {role} loader ({loader.GetType().Name}) cannot be sharded across the {strategy.WorldSize} processes of the ddp strategy: "
            + $"implement {nameof(IShardableDataLoader<TBatch>)}<T> (return the loader itself if it already yields only this rank's samples, "
            + "with the same batch count on every rank), or use TensorDataLoader.",
            role);
    }
}
