using System;
using Volt.Strategies;

namespace Volt.Data;

/// <summary>
/// The order of a data module's hooks around one trainer call (Lightning's trainer.py <c>_run</c>):
/// <see cref="DataModule{TBatch}.Prepare"/> on global rank 0 only, a barrier, <see cref="DataModule{TBatch}.Setup"/>
/// on every rank, the call (which asks for its loaders), then <see cref="DataModule{TBatch}.Teardown"/>, also on failure.
/// </summary>
internal static class DataModuleCalls
{
    public static TResult Run<TBatch, TResult>(DataModule<TBatch> data, Stage stage, Strategy strategy, Func<TResult> call)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(strategy);
        if (strategy.IsGlobalZero)
        {
            data.Prepare();
        }

        // The other ranks wait until rank 0's files exist.
        strategy.Barrier();
        data.Setup(stage);
        try
        {
            return call();
        }
        finally
        {
            data.Teardown(stage);
        }
    }
}
