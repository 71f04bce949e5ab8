using System.CommandLine;
using System.ComponentModel;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Volt.Cli;

/// <summary>Parsers the generated command line uses for option types System.CommandLine does not know.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class CliValues
{
    /// <summary>Limits an enum option to its member names, so a bad value's error lists the allowed ones.</summary>
    /// <typeparam name="T">The option's value type.</typeparam>
    /// <param name="option">The option.</param>
    /// <param name="names">The allowed values.</param>
    /// <returns><paramref name="option"/>.</returns>
    public static Option<T> OneOf<T>(Option<T> option, params string[] names)
    {
        System.ArgumentNullException.ThrowIfNull(option);
        option.AcceptOnlyFromAmong(names);
        return option;
    }

    /// <summary>Parses a <see cref="BatchLimit"/>: a whole number is a batch count (<c>100</c>), a number with a point a fraction (<c>0.25</c>).</summary>
    /// <param name="result">The option's argument.</param>
    /// <returns>The limit; on bad input an error is added to <paramref name="result"/> naming the option.</returns>
    public static BatchLimit ParseBatchLimit(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            return BatchLimit.Batches(count);
        }

        if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var fraction) && fraction is >= 0 and <= 1)
        {
            return BatchLimit.Percent(fraction);
        }

        var option = result.Parent is OptionResult parent ? parent.Option.Name : result.Argument.Name;
        result.AddError($"'{text}' is not a valid value for {option}: give a batch count (a whole number such as 100) or a fraction of the batches between 0.0 and 1.0 (such as 0.25).");
        return BatchLimit.All;
    }
}
