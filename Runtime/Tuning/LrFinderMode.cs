namespace Volt.Tuning;

/// <summary>How the learning-rate finder raises the rate from one optimizer step to the next (Lightning's <c>mode</c>).</summary>
public enum LrFinderMode
{
    /// <summary>Geometrically: the same factor every step, so the rates are evenly spaced on a log axis (the default).</summary>
    Exponential,

    /// <summary>Arithmetically: the same increment every step.</summary>
    Linear,
}
