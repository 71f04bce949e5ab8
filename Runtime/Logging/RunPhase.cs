namespace Volt;

/// <summary>The trainer phase that is running, which decides the defaults of <c>Log</c>.</summary>
public enum RunPhase
{
    /// <summary>The training steps of <see cref="Trainer"/>.Fit: values are recorded per step by default.</summary>
    Train,

    /// <summary>Validation, inside Fit or from Validate: values are averaged over the epoch by default.</summary>
    Validation,

    /// <summary>Test: values are averaged over the epoch by default.</summary>
    Test,

    /// <summary>Predict: logging is not allowed (as in Lightning).</summary>
    Predict,
}
