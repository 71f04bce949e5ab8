using Microsoft.CodeAnalysis.CSharp;

namespace Volt.Generators.Parsing;

/// <summary>Small symbol helpers.</summary>
internal static class SymbolExtensions
{
    /// <summary>The name as an identifier in generated code: keywords, contextual ones included, get an '@'.</summary>
    public static string Escape(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None || SyntaxFacts.GetContextualKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>Converts a parameter name to a property name: <c>hiddenSize</c> becomes <c>HiddenSize</c>.</summary>
    public static string ToPascalCase(string name)
    {
        var trimmed = name.TrimStart('_', '@');
        if (trimmed.Length == 0)
        {
            return name;
        }

        return char.ToUpperInvariant(trimmed[0]) + trimmed.Substring(1);
    }
}
