using System;

namespace Volt;

/// <summary>
/// Declares the search space of a floating-point hyperparameter (Optuna's <c>suggest_float</c>):
/// values between <paramref name="low"/> and <paramref name="high"/>, both included. Put it on a
/// [Hyperparameter] property or a hyperparameter constructor parameter of type <c>double</c> or
/// <c>float</c>; the generator writes <c>SampleHyperparameters(trial)</c>, and the analyzers check
/// the range against the parameter's type and default.
/// </summary>
/// <param name="low">The smallest value.</param>
/// <param name="high">The largest value.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class FloatRangeAttribute(double low, double high) : Attribute
{
    /// <summary>The smallest value.</summary>
    public double Low { get; } = low;

    /// <summary>The largest value.</summary>
    public double High { get; } = high;

    /// <summary>Sample the logarithm uniformly (for learning rates); needs <see cref="Low"/> &gt; 0 and no <see cref="Step"/>.</summary>
    public bool Log { get; set; }

    /// <summary>Only multiples of this step above <see cref="Low"/>; 0 (the default) for a continuous range.</summary>
    public double Step { get; set; }
}

/// <summary>
/// Declares the search space of an integer hyperparameter (Optuna's <c>suggest_int</c>): every
/// <see cref="Step"/>-th value from <paramref name="low"/> to <paramref name="high"/>, both included.
/// </summary>
/// <param name="low">The smallest value.</param>
/// <param name="high">The largest value.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class IntRangeAttribute(long low, long high) : Attribute
{
    /// <summary>The smallest value.</summary>
    public long Low { get; } = low;

    /// <summary>The largest value.</summary>
    public long High { get; } = high;

    /// <summary>The distance between neighbouring values (default 1).</summary>
    public long Step { get; set; } = 1;

    /// <summary>Sample the logarithm uniformly; needs <see cref="Low"/> &gt; 0 and a step of 1.</summary>
    public bool Log { get; set; }
}

/// <summary>
/// Declares a hyperparameter's search space as a set of choices (Optuna's <c>suggest_categorical</c>):
/// strings, numbers, bools or enum members of the hyperparameter's type.
/// </summary>
/// <param name="choices">The values to choose from.</param>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class ChoicesAttribute(params object[] choices) : Attribute
{
    /// <summary>The values to choose from, in order.</summary>
    public object[] Choices { get; } = choices;
}
