using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Volt.Logging;

/// <summary>The words and numbers of the progress display, shared by its live and plain forms.</summary>
internal static class ProgressText
{
    /// <summary>
    /// A metric value as Lightning's progress bar prints it (<c>Tqdm.format_num</c>): the shorter of three
    /// significant digits and the round-trip form, a plain decimal padded to 5 characters with zeros
    /// (0.5 → 0.500, 12.0 → 12.00, 0.123456 → 0.123, 1e-5 → 1e-5, 123456.7 → 1.23e+5).
    /// </summary>
    public static string Number(double value)
    {
        if (!double.IsFinite(value))
        {
            return double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
        }

        var roundTrip = Exponent(value.ToString("R", CultureInfo.InvariantCulture));
        var short3 = Exponent(value.ToString("G3", CultureInfo.InvariantCulture));
        var text = short3.Length < roundTrip.Length ? short3 : roundTrip;
        if (text.Contains('e', StringComparison.Ordinal))
        {
            return text;
        }

        if (!text.Contains('.', StringComparison.Ordinal))
        {
            text += ".";
        }

        return text.Length >= 5 ? text : text.PadRight(5, '0');
    }

    /// <summary>A duration as <c>H:MM:SS</c> (Rich's time columns).</summary>
    public static string Duration(TimeSpan? duration)
        => duration is { } value
            ? ((int)value.TotalHours).ToString(CultureInfo.InvariantCulture) + ":" + value.ToString(@"mm\:ss", CultureInfo.InvariantCulture)
            : "-:--:--";

    /// <summary>Iterations per second with two decimals, or <c>?</c> before the first measurement.</summary>
    public static string Speed(double? perSecond)
        => (perSecond is { } value && double.IsFinite(value) ? value.ToString("F2", CultureInfo.InvariantCulture) : "?") + " it/s";

    /// <summary>The metrics part: <c>name: value</c> joined by spaces.</summary>
    public static string Metrics(IReadOnlyDictionary<string, double> metrics)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in metrics)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(name).Append(": ").Append(Number(value));
        }

        return text.ToString();
    }

    /// <summary>The training bar's label: Lightning's 0-based <c>Epoch e/last</c> (<c>Epoch e</c> without an epoch limit).</summary>
    public static string Epoch(int epoch, int? maxEpochs)
        => "Epoch " + epoch.ToString(CultureInfo.InvariantCulture) + (maxEpochs is { } max ? "/" + (max - 1).ToString(CultureInfo.InvariantCulture) : string.Empty);

    /// <summary>An evaluation bar's label, as Lightning names them.</summary>
    public static string Phase(RunPhase phase) => phase switch
    {
        RunPhase.Validation => "Validation",
        RunPhase.Test => "Testing",
        RunPhase.Predict => "Predicting",
        _ => "Training",
    };

    /// <summary>Python's short exponent form: a lower-case e without zero padding (1E-05 → 1e-5).</summary>
    private static string Exponent(string text)
        => text.Replace("E", "e", StringComparison.Ordinal).Replace("e+0", "e+", StringComparison.Ordinal).Replace("e-0", "e-", StringComparison.Ordinal);
}
