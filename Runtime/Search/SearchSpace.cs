using System;
using System.Collections.Generic;
using System.Linq;

namespace Volt.Search;

/// <summary>One declared hyperparameter and where its values come from.</summary>
/// <param name="Name">The parameter name, as the generated sampling code passes it to <see cref="ITrial"/>.</param>
/// <param name="Distribution">Its distribution.</param>
public sealed record SearchParameter(string Name, Distribution Distribution);

/// <summary>
/// A module's declared search space; the generator emits it as the module's static <c>SearchSpace</c>
/// from the [FloatRange], [IntRange] and [Choices] attributes on its hyperparameters.
/// </summary>
public sealed class SearchSpace
{
    /// <summary>Creates a search space.</summary>
    /// <exception cref="ArgumentException">Two parameters share a name.</exception>
    public SearchSpace(params SearchParameter[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var duplicate = parameters.GroupBy(p => p.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"The search space names '{duplicate.Key}' twice.", nameof(parameters));
        }

        Parameters = parameters;
    }

    /// <summary>The parameters in declaration order.</summary>
    public IReadOnlyList<SearchParameter> Parameters { get; }
}
