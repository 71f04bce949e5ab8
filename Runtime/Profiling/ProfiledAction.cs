using System.ComponentModel;

namespace Volt.Profiling;

/// <summary>
/// A timed part of a trainer call (the phases and steps of Lightning's <c>SimpleProfiler</c> report;
/// callback hooks are timed separately, per callback). The generated loops name the ones they run
/// themselves; the runtime times the rest.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public enum ProfiledAction
{
    /// <summary>One training epoch, from <c>fit.BeginEpoch</c> to the end of <c>fit.EndEpoch</c> (<c>run_training_epoch</c>).</summary>
    TrainingEpoch,

    /// <summary>One training batch, from <c>fit.BeginBatch</c> to the end of <c>fit.EndBatch</c> (<c>run_training_batch</c>).</summary>
    TrainingBatch,

    /// <summary>Creating a training batch in <c>fit.GetBatch</c> (<c>[FitLoop].train_dataloader_next</c>).</summary>
    TrainingDataFetch,

    /// <summary>The module's <c>MoveBatchToDevice</c>, in every loop.</summary>
    TransferToDevice,

    /// <summary>The module's [TrainingStep] method, under autocast.</summary>
    TrainingStep,

    /// <summary>The backward pass through the precision plugin (automatic, or a manual step's <c>ManualBackward</c>).</summary>
    Backward,

    /// <summary>An optimizer step with what it needs first: gradient reduction, unscaling, the OnBeforeOptimizerStep hooks and clipping.</summary>
    OptimizerStep,

    /// <summary>One validation epoch (the sanity check's too), from <c>BeginEpoch</c> to the end of <c>EndEpoch</c>.</summary>
    ValidationEpoch,

    /// <summary>Creating a validation batch (<c>[EvaluationLoop].val_next</c>).</summary>
    ValidationDataFetch,

    /// <summary>The module's [ValidationStep] method.</summary>
    ValidationStep,

    /// <summary>One test epoch.</summary>
    TestEpoch,

    /// <summary>Creating a test batch (<c>[EvaluationLoop].test_next</c>).</summary>
    TestDataFetch,

    /// <summary>The module's [TestStep] method.</summary>
    TestStep,

    /// <summary>One pass of the predict loop.</summary>
    PredictEpoch,

    /// <summary>Creating a predict batch (<c>[PredictLoop].predict_next</c>).</summary>
    PredictDataFetch,

    /// <summary>The module's [PredictStep] method.</summary>
    PredictStep,
}
