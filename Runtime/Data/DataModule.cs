using System;
using System.Collections.Generic;

namespace Volt.Data;

/// <summary>
/// The data of a model in one place (Lightning's <c>LightningDataModule</c>, pytorch/core/datamodule.py):
/// how to download or unpack it once, how to split it, and the loader of every phase.
/// <c>trainer.Fit(module, dataModule)</c> (and <c>Validate</c>, <c>Test</c>, <c>Predict</c>) call, in order:
/// <see cref="Prepare"/> (global rank 0 only, then every rank waits), <see cref="Setup"/> (every rank),
/// the phase's loaders, and <see cref="Teardown"/> (every rank, also when the phase fails).
/// The constructor's parameters are the data module's hyperparameters: a generated command line
/// (<see cref="Cli.GenerateCliAttribute"/>) makes them <c>--data.*</c> options.
/// </summary>
/// <typeparam name="TBatch">The batch type of every phase.</typeparam>
public abstract class DataModule<TBatch> : IDisposable
{
    /// <summary>
    /// Downloads, unpacks or writes files, once for all processes (runs on global rank 0 only). Do not
    /// set fields here: the other ranks never run it. The default does nothing.
    /// </summary>
    public virtual void Prepare()
    {
    }

    /// <summary>Loads and splits the data for <paramref name="stage"/>; runs on every rank at the start of every trainer call. The default does nothing.</summary>
    /// <param name="stage">The trainer call about to run.</param>
    public virtual void Setup(Stage stage)
    {
    }

    /// <summary>The training loader; called once per <c>Fit</c>, after <see cref="Setup"/>.</summary>
    /// <returns>The loader. The data module keeps ownership (dispose it in <see cref="Dispose(bool)"/> or <see cref="Teardown"/>).</returns>
    public abstract IDataLoader<TBatch> TrainLoader();

    /// <summary>The validation loader, or null when there is no validation data (the default).</summary>
    /// <returns>The loader, or null.</returns>
    public virtual IDataLoader<TBatch>? ValidationLoader() => null;

    /// <summary>The test loader, or null when there is no test data (the default; <c>Test</c> then fails naming the data module).</summary>
    /// <returns>The loader, or null.</returns>
    public virtual IDataLoader<TBatch>? TestLoader() => null;

    /// <summary>The prediction loader, or null when there is none (the default; <c>Predict</c> then fails naming the data module).</summary>
    /// <returns>The loader, or null.</returns>
    public virtual IDataLoader<TBatch>? PredictLoader() => null;

    /// <summary>Frees what <see cref="Setup"/> made for <paramref name="stage"/>; runs on every rank after every trainer call, also when it failed. The default does nothing.</summary>
    /// <param name="stage">The trainer call that ended.</param>
    public virtual void Teardown(Stage stage)
    {
    }

    /// <summary>
    /// The data module's hyperparameters (name to value: a string, bool, number, enum or null), which
    /// <c>trainer.Fit(module, dataModule)</c> saves in hparams.json and gives the loggers after the
    /// module's (Lightning's <c>_log_hyperparams</c>); a name the module has too must have the same
    /// value, else the fit fails naming it. The default is none.
    /// </summary>
    public virtual IReadOnlyDictionary<string, object?> Hyperparameters { get; } = new Dictionary<string, object?>();

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the loaders and tensors the data module holds.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
