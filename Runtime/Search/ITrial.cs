using System.Collections.Generic;

namespace Volt.Search;

/// <summary>
/// One evaluation of an objective (Optuna's <c>Trial</c>): asks the study's sampler for
/// hyperparameter values, reports intermediate values and asks the pruner whether to stop. The
/// generated <c>SampleHyperparameters(ITrial)</c> of a module with a declared search space calls
/// the Suggest methods.
/// </summary>
public interface ITrial
{
    /// <summary>The trial's 0-based number in its study.</summary>
    int Number { get; }

    /// <summary>A float in [<paramref name="low"/>, <paramref name="high"/>]; the same name returns the same value again.</summary>
    /// <param name="name">The parameter name (the key in the storage).</param>
    /// <param name="low">The smallest value.</param>
    /// <param name="high">The largest value.</param>
    /// <param name="log">Sample the logarithm uniformly (low must be above 0).</param>
    /// <param name="step">Only <c>low + k·step</c>; null for continuous.</param>
    double SuggestFloat(string name, double low, double high, bool log = false, double? step = null);

    /// <summary>An integer in [<paramref name="low"/>, <paramref name="high"/>] on the grid <c>low + k·step</c>.</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="low">The smallest value.</param>
    /// <param name="high">The largest value.</param>
    /// <param name="step">The distance between values.</param>
    /// <param name="log">Sample the logarithm uniformly (step must be 1).</param>
    long SuggestInt(string name, long low, long high, long step = 1, bool log = false);

    /// <summary>One of <paramref name="choices"/> (strings, numbers or bools; enums by name).</summary>
    /// <typeparam name="T">The choice type.</typeparam>
    /// <param name="name">The parameter name.</param>
    /// <param name="choices">The values to choose from.</param>
    T SuggestCategorical<T>(string name, IReadOnlyList<T> choices);

    /// <summary>Records an intermediate objective value at <paramref name="step"/> (a second report at the same step is ignored, as in Optuna).</summary>
    void Report(double value, int step);

    /// <summary>True when the study's pruner says this trial should stop now.</summary>
    bool ShouldPrune();
}
