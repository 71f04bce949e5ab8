namespace Volt.Data;

/// <summary>Which trainer call a <see cref="DataModule{TBatch}"/> is set up for (Lightning's <c>TrainerFn</c>, pytorch/trainer/states.py).</summary>
public enum Stage
{
    /// <summary><c>Trainer.Fit</c>: training and validation loaders.</summary>
    Fit,

    /// <summary><c>Trainer.Validate</c>.</summary>
    Validate,

    /// <summary><c>Trainer.Test</c>.</summary>
    Test,

    /// <summary><c>Trainer.Predict</c>.</summary>
    Predict,
}
