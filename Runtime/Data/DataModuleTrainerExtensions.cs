using System;
using System.Collections.Generic;

namespace Volt.Data;

/// <summary>
/// <c>trainer.Fit(module, dataModule)</c>, <c>Validate</c>, <c>Test</c> and <c>Predict</c> with a
/// <see cref="DataModule{TBatch}"/> (Lightning's <c>trainer.fit(model, datamodule=dm)</c>).
/// </summary>
public static class DataModuleTrainerExtensions
{
    /// <summary>
    /// Trains <paramref name="module"/> on the data module's training loader, validating on its
    /// validation loader when the module has a validation step and the data module a validation loader.
    /// The data module's <see cref="DataModule{TBatch}.Hyperparameters"/> are saved and logged with the
    /// module's (<c>hparams.json</c>, the loggers); a name both have must have the same value.
    /// </summary>
    /// <typeparam name="TBatch">The batch type.</typeparam>
    /// <param name="trainer">The trainer.</param>
    /// <param name="module">The module.</param>
    /// <param name="data">The data module.</param>
    /// <param name="ckptPath">Resume from a checkpoint: <c>"last"</c>, <c>"best"</c> or a path; null starts fresh.</param>
    /// <exception cref="InvalidOperationException">The module and the data module have a hyperparameter of the same name with different values.</exception>
    public static void Fit<TBatch>(this Trainer trainer, IFitModule<TBatch> module, DataModule<TBatch> data, string? ckptPath = null)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(data);

        // A name clash fails here, before the data module prepares anything or a run directory exists.
        var hyperparameters = DataModuleHyperparameters.Merge(module, data.Hyperparameters, data.GetType().Name);
        Run(trainer, data, Stage.Fit, () =>
        {
            var train = data.TrainLoader();
            trainer.FitHyperparameters = hyperparameters;
            try
            {
                if (module is IFitModule<TBatch, TBatch> validating && data.ValidationLoader() is { } validation)
                {
                    trainer.Fit(validating, train, validation, ckptPath);
                }
                else
                {
                    trainer.Fit(module, train, ckptPath);
                }
            }
            finally
            {
                trainer.FitHyperparameters = null;
            }

            return 0;
        });
    }

    /// <summary>Runs one validation epoch on the data module's validation loader.</summary>
    /// <typeparam name="TBatch">The batch type.</typeparam>
    /// <param name="trainer">The trainer.</param>
    /// <param name="module">The module.</param>
    /// <param name="data">The data module; it must have a validation loader.</param>
    /// <returns>The epoch metrics.</returns>
    public static IReadOnlyDictionary<string, double> Validate<TBatch>(this Trainer trainer, IValidateModule<TBatch> module, DataModule<TBatch> data)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return Run(trainer, data, Stage.Validate, () =>
            trainer.Validate(module, data.ValidationLoader() ?? throw Missing(data, nameof(DataModule<TBatch>.ValidationLoader))));
    }

    /// <summary>Runs one test epoch on the data module's test loader.</summary>
    /// <typeparam name="TBatch">The batch type.</typeparam>
    /// <param name="trainer">The trainer.</param>
    /// <param name="module">The module.</param>
    /// <param name="data">The data module; it must have a test loader.</param>
    /// <returns>The epoch metrics.</returns>
    public static IReadOnlyDictionary<string, double> Test<TBatch>(this Trainer trainer, ITestModule<TBatch> module, DataModule<TBatch> data)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return Run(trainer, data, Stage.Test, () =>
            trainer.Test(module, data.TestLoader() ?? throw Missing(data, nameof(DataModule<TBatch>.TestLoader))));
    }

    /// <summary>Predicts every batch of the data module's prediction loader.</summary>
    /// <typeparam name="TBatch">The batch type.</typeparam>
    /// <typeparam name="TOutput">What the predict step returns.</typeparam>
    /// <param name="trainer">The trainer.</param>
    /// <param name="module">The module.</param>
    /// <param name="data">The data module; it must have a prediction loader.</param>
    /// <returns>One output per batch.</returns>
    public static IReadOnlyList<TOutput> Predict<TBatch, TOutput>(this Trainer trainer, IPredictModule<TBatch, TOutput> module, DataModule<TBatch> data)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        return Run(trainer, data, Stage.Predict, () =>
            trainer.Predict(module, data.PredictLoader() ?? throw Missing(data, nameof(DataModule<TBatch>.PredictLoader))));
    }

    // The hooks follow the trainer's strategy: Prepare on its global rank 0, its barrier before Setup.
    private static TResult Run<TBatch, TResult>(Trainer trainer, DataModule<TBatch> data, Stage stage, Func<TResult> call)
        => DataModuleCalls.Run(data, stage, trainer.Strategy, call);

    private static InvalidOperationException Missing<TBatch>(DataModule<TBatch> data, string method)
        => new($"The data module {data.GetType().Name} has no loader for this phase: its {method}() returned null. Override {method}() to return one.");
}
