using System;
using static TorchSharp.torch;

namespace Volt.Metrics.Classification;

/// <summary>
/// F-beta (torchmetrics' <c>FBetaScore</c>): (1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp); β = 1 is F1
/// (<see cref="F1Score"/>). A 0/0 gives the zero-division value.
/// </summary>
public class FBetaScore : ConfusionCountsMetric
{
    private readonly double zeroDivision;

    /// <summary>Creates the metric.</summary>
    /// <param name="task">What is classified.</param>
    /// <param name="beta">The weight of recall against precision; positive.</param>
    /// <param name="average">How per-class scores combine; torchmetrics' wrapper default is micro.</param>
    /// <param name="zeroDivision">The score of a class whose denominator is 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is not positive.</exception>
    public FBetaScore(ClassificationTask task, double beta, Average average = Average.Micro, double zeroDivision = 0)
        : this(nameof(FBetaScore), task, beta, average, zeroDivision)
    {
    }

    /// <summary>Creates the metric under another module name (for <see cref="F1Score"/>).</summary>
    private protected FBetaScore(string name, ClassificationTask task, double beta, Average average, double zeroDivision)
        : base(name, task)
    {
        if (!(beta > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "beta must be positive.");
        }

        Beta = beta;
        Average = average;
        this.zeroDivision = zeroDivision;
    }

    /// <summary>The weight of recall against precision.</summary>
    public double Beta { get; }

    /// <summary>How per-class scores combine.</summary>
    public Average Average { get; }

    /// <inheritdoc/>
    protected sealed override Tensor ComputeFromStates()
    {
        var (tp, fp, _, fn) = Stats();
        return StatScoreReduction.FBeta(Task.Kind, Average, Beta, zeroDivision, tp, fp, fn);
    }
}

/// <summary>F1 = 2·tp / (2·tp + fn + fp), the harmonic mean of precision and recall (torchmetrics' <c>F1Score</c>).</summary>
/// <param name="task">What is classified.</param>
/// <param name="average">How per-class scores combine; torchmetrics' wrapper default is micro.</param>
/// <param name="zeroDivision">The score of a class whose denominator is 0.</param>
public sealed class F1Score(ClassificationTask task, Average average = Average.Micro, double zeroDivision = 0)
    : FBetaScore(nameof(F1Score), task, 1.0, average, zeroDivision);
