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

    /// <summary>Parses a <see cref="BatchLimit"/> with <see cref="BatchLimit.TryParse"/> (<c>100</c> batches, <c>0.25</c> of the batches), rejecting fractions outside [0, 1] at parse time.</summary>
    /// <param name="result">The option's argument.</param>
    /// <returns>The limit; on bad input an error is added to <paramref name="result"/> naming the option.</returns>
    public static BatchLimit ParseBatchLimit(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (BatchLimit.TryParse(text, out var limit) && limit.Fraction is null or (>= 0 and <= 1) && limit.Count is null or >= 0)
        {
            return limit;
        }

        var option = result.Parent is OptionResult parent ? parent.Option.Name : result.Argument.Name;
        result.AddError($"'{text}' is not a valid value for {option}: give a batch count (a whole number such as 100) or a fraction of the batches between 0.0 and 1.0 (such as 0.25).");
        return BatchLimit.All;
    }
}
