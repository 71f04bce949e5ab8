using System;
using System.Collections.Generic;
using System.Globalization;

namespace Volt.Logging;

/// <summary>Checks and resolves the options of the progress display, and the model summary.</summary>
internal static class ObservabilityOptions
{
    /// <summary>The live display's default: 10 refreshes per second.</summary>
    public const double LiveRefreshRate = 10;

    /// <summary>The plain display's default: one line every 30 seconds.</summary>
    public const double PlainRefreshRate = 1.0 / 30;

    /// <summary>The problems with the options this helper owns, worded like the rest of <see cref="TrainerOptions.Validate"/>.</summary>
    public static IEnumerable<string> Problems(TrainerOptions options)
    {
        if (options.ProgressRefreshRate is { } rate && !(double.IsFinite(rate) && rate > 0))
        {
            yield return $"ProgressRefreshRate is {rate.ToString(CultureInfo.InvariantCulture)}; use a positive number of refreshes per second (0.1 is one every 10 seconds), null for the default, or EnableProgressBar = false";
        }
    }

    /// <summary>The time between refreshes for the live or the plain display.</summary>
    public static TimeSpan RefreshInterval(TrainerOptions options, bool live)
        => TimeSpan.FromSeconds(1 / (options.ProgressRefreshRate ?? (live ? LiveRefreshRate : PlainRefreshRate)));
}
