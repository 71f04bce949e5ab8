using System;
using System.Globalization;

namespace Volt;

/// <summary>
/// A limit on the batches of a phase, as Lightning's <c>limit_*_batches</c>: either a count of
/// batches or a fraction of the loader. Converts implicitly from <see cref="int"/> (a count) and
/// <see cref="double"/> (a fraction in [0, 1]); <see cref="Parse"/> reads the text a command line or a
/// configuration file holds ("100" is a count, "0.25" a fraction).
/// </summary>
public readonly record struct BatchLimit
{
    private BatchLimit(int? count, double? fraction)
    {
        Count = count;
        Fraction = fraction;
    }

    /// <summary>No limit: every batch (the fraction 1.0).</summary>
    public static BatchLimit All => new(null, 1.0);

    /// <summary>The batch count, when the limit is a count.</summary>
    public int? Count { get; }

    /// <summary>The fraction of the loader, when the limit is a fraction.</summary>
    public double? Fraction { get; }

    /// <summary>A limit of <paramref name="count"/> batches.</summary>
    /// <param name="count">The number of batches (0 disables the phase).</param>
    public static BatchLimit Batches(int count) => new(count, null);

    /// <summary>A limit of a fraction of the loader's batches (0.25 runs the first quarter).</summary>
    /// <param name="fraction">A fraction in [0, 1].</param>
    public static BatchLimit FractionOfBatches(double fraction) => new(null, fraction);

    /// <summary>
    /// Reads a limit as users type it (Lightning's <c>int</c> or <c>float</c>): a whole number such as
    /// <c>"100"</c> is a batch count; a number with a decimal point or an exponent such as <c>"0.25"</c> or
    /// <c>"1.0"</c> is a fraction (<c>"1.0"</c> is every batch). Culture-invariant; the range is checked
    /// when the trainer validates its options.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <returns>The limit.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="FormatException"><paramref name="text"/> is neither form; the message quotes it.</exception>
    public static BatchLimit Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var limit)
            ? limit
            : throw new FormatException($"\"{text}\" is not a batch limit; use a whole batch count such as \"100\" or a fraction with a decimal point such as \"0.25\" (\"1.0\" runs every batch).");
    }

    /// <summary>Reads a limit like <see cref="Parse"/>, returning false instead of throwing.</summary>
    /// <param name="text">The text.</param>
    /// <param name="limit">The limit, when the text is one.</param>
    /// <returns>True when <paramref name="text"/> is a batch count or a fraction.</returns>
    public static bool TryParse(string? text, out BatchLimit limit)
    {
        limit = default;
        var trimmed = text.AsSpan().Trim();
        if (trimmed.IsEmpty)
        {
            return false;
        }

        if (trimmed.IndexOfAny('.', 'e', 'E') < 0)
        {
            if (!int.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var count))
            {
                return false;
            }

            limit = Batches(count);
            return true;
        }

        if (!double.TryParse(trimmed, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var fraction)
            || !double.IsFinite(fraction))
        {
            return false;
        }

        limit = FractionOfBatches(fraction);
        return true;
    }

    /// <summary>A count of batches.</summary>
    /// <param name="count">The number of batches.</param>
    public static implicit operator BatchLimit(int count) => Batches(count);

    /// <summary>A fraction of the loader's batches.</summary>
    /// <param name="fraction">A fraction in [0, 1].</param>
    public static implicit operator BatchLimit(double fraction) => FractionOfBatches(fraction);

    /// <summary>The number of batches to run out of <paramref name="available"/>.</summary>
    /// <param name="available">The loader's batch count.</param>
    /// <returns>The limited count.</returns>
    public int Resolve(int available)
    {
        if (Count is { } count)
        {
            return Math.Min(count, available);
        }

        return (int)Math.Floor((Fraction ?? 1.0) * available);
    }

    /// <summary>Returns why the limit is invalid, as one sentence naming the option <paramref name="option"/>, or null when it is valid.</summary>
    internal string? Problem(string option)
    {
        if (Count is { } count && count < 0)
        {
            return $"{option} is {count.ToString(CultureInfo.InvariantCulture)}; use a batch count >= 0 or a fraction in [0.0, 1.0]";
        }

        if (Fraction is { } fraction && (double.IsNaN(fraction) || fraction < 0 || fraction > 1))
        {
            return $"{option} is {fraction.ToString(CultureInfo.InvariantCulture)}; use a fraction in [0.0, 1.0] or a whole batch count >= 0";
        }

        return null;
    }

    /// <inheritdoc />
    public override string ToString()
        => Count is { } count ? count.ToString(CultureInfo.InvariantCulture) : (Fraction ?? 1.0).ToString("0.###", CultureInfo.InvariantCulture);
}
