using System;

namespace Volt.Tuning;

/// <summary>
/// The learning rate of each optimizer step of a sweep, as Lightning's <c>_ExponentialLR</c> and <c>_LinearLR</c>
/// schedule it (src/lightning/pytorch/tuner/lr_finder.py): step 0 runs at the minimum, step k ≥ 1 at
/// fraction (k + 1) / N of the way to the maximum, so step N − 1 runs at the maximum.
/// </summary>
/// <param name="Mode">Exponential or linear spacing.</param>
/// <param name="MinLr">The rate of the first step.</param>
/// <param name="MaxLr">The rate of the last step.</param>
/// <param name="NumTraining">The number of steps.</param>
internal sealed record LrSweep(LrFinderMode Mode, double MinLr, double MaxLr, int NumTraining)
{
    /// <summary>The learning rate optimizer step <paramref name="step"/> (0-based) runs at.</summary>
    public double LearningRateAt(long step)
    {
        if (step == 0)
        {
            return MinLr;
        }

        var fraction = Math.Min(1.0, (step + 1) / (double)NumTraining);
        return Mode == LrFinderMode.Exponential
            ? MinLr * Math.Pow(MaxLr / MinLr, fraction)
            : MinLr + (fraction * (MaxLr - MinLr));
    }
}
