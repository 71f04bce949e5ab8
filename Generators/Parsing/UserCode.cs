using System.Linq;
using Microsoft.CodeAnalysis;

namespace Volt.Generators.Parsing;

/// <summary>
/// Tells user code from the generator's output. The analyzers see the generated files in the
/// compilation; their members are neither conflicts nor places to report at. The one place that
/// answers "is this generated?".
/// </summary>
internal static class UserCode
{
    /// <summary>True for members the user wrote (in at least one file the generator did not write).</summary>
    public static bool IsUserDeclared(ISymbol member)
        => !member.IsImplicitlyDeclared
           && member.DeclaringSyntaxReferences.Any(r => !IsGeneratedByVolt(r.SyntaxTree));

    /// <summary>True for a file this generator wrote: Roslyn names generated files after the generator type.</summary>
    public static bool IsGeneratedByVolt(SyntaxTree tree)
        => tree.FilePath.IndexOf("Volt.Generators.VoltGenerator", System.StringComparison.Ordinal) >= 0;
}
