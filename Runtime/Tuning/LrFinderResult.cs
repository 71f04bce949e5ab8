using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Tuning;

/// <summary>
/// What <see cref="Tuner.LrFind"/> measured (Lightning's <c>_LRFinder</c>): the learning rate of each optimizer
/// step of the sweep and the smoothed training loss after it, and the suggested rate.
/// </summary>
public sealed class LrFinderResult
{
    internal LrFinderResult(LrFinderMode mode, double minLr, double maxLr, int numTraining, IReadOnlyList<double> lrs, IReadOnlyList<double> losses, string? stopReason)
    {
        Mode = mode;
        MinLr = minLr;
        MaxLr = maxLr;
        NumTraining = numTraining;
        Lrs = lrs.ToArray();
        Losses = losses.ToArray();
        StopReason = stopReason;
        SuggestionIndex = SuggestIndex();
    }

    /// <summary>How the rate grew from step to step.</summary>
    public LrFinderMode Mode { get; }

    /// <summary>The rate of the first step.</summary>
    public double MinLr { get; }

    /// <summary>The rate the last step would have had.</summary>
    public double MaxLr { get; }

    /// <summary>The number of steps the sweep was set to take.</summary>
    public int NumTraining { get; }

    /// <summary>The learning rate of each step taken (Lightning's <c>results["lr"]</c>).</summary>
    public IReadOnlyList<double> Lrs { get; }

    /// <summary>The smoothed training loss after each step (Lightning's <c>results["loss"]</c>), one per entry of <see cref="Lrs"/>.</summary>
    public IReadOnlyList<double> Losses { get; }

    /// <summary>Why the sweep stopped before <see cref="NumTraining"/> steps (the loss diverged), or null when it ran them all.</summary>
    public string? StopReason { get; }

    /// <summary>True when the loss diverged and the sweep stopped early.</summary>
    public bool StoppedEarly => StopReason is not null;

    /// <summary>The index into <see cref="Lrs"/> of <see cref="Suggestion"/>, or null.</summary>
    public int? SuggestionIndex { get; }

    /// <summary>
    /// The suggested learning rate: where the smoothed loss falls fastest, skipping the first 10 points and the
    /// last one (<see cref="Suggest"/> with its defaults). Null when fewer than two finite losses remain.
    /// </summary>
    public double? Suggestion => SuggestionIndex is { } index ? Lrs[index] : null;

    /// <summary>
    /// Lightning's <c>suggestion(skip_begin, skip_end)</c>: drops the first <paramref name="skipBegin"/> and last
    /// <paramref name="skipEnd"/> points and the non-finite losses, then returns the rate at which the smoothed loss
    /// falls fastest: the most negative derivative with respect to log10 of the rate in exponential mode (the axis
    /// the rates are evenly spaced on and the plot is drawn on) and to the rate itself in linear mode. Lightning
    /// 2.x differentiates with respect to the raw rate in both modes, which lets noise at the tiny rates of an
    /// exponential sweep win (Lightning issue #21141; the log-scale fix is its pull request #21171).
    /// </summary>
    /// <param name="skipBegin">Points to skip at the start, where the estimate is naive.</param>
    /// <param name="skipEnd">Points to skip at the end, where the loss is diverging.</param>
    /// <returns>The rate, or null when fewer than two points remain (increase NumTraining or give more batches).</returns>
    public double? Suggest(int skipBegin = 10, int skipEnd = 1) => SuggestIndex(skipBegin, skipEnd) is { } index ? Lrs[index] : null;

    /// <summary>The index into <see cref="Lrs"/> that <see cref="Suggest"/> picks, or null.</summary>
    /// <param name="skipBegin">Points to skip at the start.</param>
    /// <param name="skipEnd">Points to skip at the end.</param>
    public int? SuggestIndex(int skipBegin = 10, int skipEnd = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(skipBegin);
        ArgumentOutOfRangeException.ThrowIfNegative(skipEnd);
        var kept = new List<int>();
        for (var i = skipBegin; i < Losses.Count - skipEnd; i++)
        {
            if (double.IsFinite(Losses[i]))
            {
                kept.Add(i);
            }
        }

        if (kept.Count < 2)
        {
            return null;
        }

        var coordinates = kept.Select(i => Mode == LrFinderMode.Exponential ? Math.Log10(Lrs[i]) : Lrs[i]).ToArray();
        var gradient = NonUniformGradient.Compute(kept.Select(i => Losses[i]).ToArray(), coordinates);
        var steepest = 0;
        for (var i = 1; i < gradient.Length; i++)
        {
            if (gradient[i] < gradient[steepest])
            {
                steepest = i;
            }
        }

        return kept[steepest];
    }

    /// <summary>
    /// Draws the loss against the learning rate (a log axis in exponential mode), with the suggestion marked, and
    /// writes it as a PNG to <paramref name="path"/> (atomically; its folder is created when missing).
    /// </summary>
    /// <param name="path">The PNG file to write.</param>
    /// <param name="width">The image width in pixels.</param>
    /// <param name="height">The image height in pixels.</param>
    /// <exception cref="InvalidOperationException">The sweep recorded no finite loss, so there is nothing to draw.</exception>
    public void Plot(string path, int width = 800, int height = 600)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 16);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 16);
        LrFinderPlot.Write(this, path, width, height);
    }
}
