using System;

namespace Volt.Tuning;

/// <summary>
/// The batch-size search of Lightning's <c>_run_power_scaling</c> and <c>_run_binsearch_scaling</c>
/// (src/lightning/pytorch/tuner/batch_size_scaling.py), over a trial function that reports whether a size fits.
/// Two deliberate differences: a size equal to <c>maxVal</c> is tried rather than returned untested, and the
/// result is always a size that ran (Lightning can return a halved size it never tried); when none fits the
/// search fails instead.
/// </summary>
internal static class BatchSizeSearch
{
    /// <summary>Runs the search and returns the batch size to use.</summary>
    /// <param name="mode">Power or binary search.</param>
    /// <param name="fits">Runs one trial; true when the size fit in memory.</param>
    /// <param name="sampleCount">The data set's size, read after each trial: a size that covers the whole data set is not increased further.</param>
    /// <param name="initVal">The first size tried.</param>
    /// <param name="maxTrials">Power: the most trials. Binary search: the most successful trials.</param>
    /// <param name="margin">Binary search only: the found size is reduced by this fraction.</param>
    /// <param name="maxVal">The largest size tried.</param>
    /// <exception cref="InvalidOperationException">No size fit.</exception>
    public static int Run(BatchSizeScalingMode mode, Func<int, bool> fits, Func<long> sampleCount, int initVal, int maxTrials, double margin, int maxVal)
    {
        var size = Math.Min(initVal, maxVal);
        int Grow(int current)
        {
            var samples = sampleCount();
            return current >= maxVal || current >= samples ? current : (int)Math.Min(Math.Min(2L * current, maxVal), samples);
        }

        return mode == BatchSizeScalingMode.Power
            ? Power(fits, Grow, size, maxTrials)
            : BinarySearch(fits, Grow, size, maxTrials, margin);
    }

    private static int Power(Func<int, bool> fits, Func<int, int> grow, int size, int maxTrials)
    {
        int? lastFit = null;
        for (var trial = 0; trial < maxTrials; trial++)
        {
            if (fits(size))
            {
                lastFit = size;
                var next = grow(size);
                if (next == size)
                {
                    break;
                }

                size = next;
                continue;
            }

            if (lastFit is not null)
            {
                break;
            }

            if (size == 1)
            {
                throw NothingFits();
            }

            size /= 2;
        }

        return lastFit ?? throw new InvalidOperationException(
            $"No batch size fit in memory within {maxTrials} trials (the last one tried was {size}); raise maxTrials or lower initVal.");
    }

    private static int BinarySearch(Func<int, bool> fits, Func<int, int> grow, int size, int maxTrials, double margin)
    {
        var low = 0; // the largest size that fit, 0 while none has
        int? high = null; // the smallest size that failed
        var successes = 0;
        while (true)
        {
            if (fits(size))
            {
                low = size;
                successes++;
                if (successes >= maxTrials)
                {
                    break;
                }

                if (high is { } failed)
                {
                    if (failed - low <= 1)
                    {
                        break;
                    }

                    size = (failed + low) / 2;
                    continue;
                }

                var next = grow(size);
                if (next == size)
                {
                    break;
                }

                size = next;
                continue;
            }

            high = size;
            if (size - low <= 1)
            {
                if (low == 0)
                {
                    throw NothingFits();
                }

                break;
            }

            size = (size + low) / 2;
        }

        return margin > 0 ? Math.Max(1, (int)(low * (1 - margin))) : low;
    }

    private static InvalidOperationException NothingFits()
        => new("Even a batch size of 1 runs out of memory; the model itself does not fit (or the memory limit is below what one sample needs).");
}
