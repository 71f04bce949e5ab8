using System.Collections.Generic;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>Adds a problem with its message parts; the parsers share one list per module.</summary>
internal static class ModuleProblemList
{
    /// <param name="problems">The module's problem list.</param>
    /// <param name="kind">The rule that was broken.</param>
    /// <param name="subject">The member, type or attribute the problem is about (where the analyzer reports it).</param>
    /// <param name="arguments">The parts of the kind's message format, in order (see <see cref="ModuleProblemMessages"/>).</param>
    public static void Report(this List<ModuleProblem> problems, ModuleProblemKind kind, string subject, params string[] arguments)
        => problems.Add(new ModuleProblem(kind, subject, arguments.ToEquatableArray()));
}
