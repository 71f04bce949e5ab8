using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Volt.Generators.Parsing;

/// <summary>
/// What a generated command line needs from declarations: a parameter's default value as a C#
/// literal (invariant culture), and <c>&lt;summary&gt;</c> / <c>&lt;param&gt;</c> documentation text.
/// Documentation comes from the compiler when the project writes a documentation file, and from
/// the <c>///</c> comments of the declaration otherwise.
/// </summary>
internal static class Documentation
{
    private static readonly Regex Whitespace = new(@"\s+", RegexOptions.Compiled);

    /// <summary>The parameter's explicit default as a C# expression of its type, or null when it has none.</summary>
    public static string? DefaultLiteral(IParameterSymbol parameter, SymbolDisplayFormat typeFormat)
    {
        if (!parameter.HasExplicitDefaultValue)
        {
            return null;
        }

        var type = parameter.Type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable
            ? nullable.TypeArguments[0]
            : parameter.Type;
        var value = parameter.ExplicitDefaultValue;
        if (value is null)
        {
            return "null";
        }

        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType)
        {
            var member = enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value));
            return member is not null
                ? $"{enumType.ToDisplayString(typeFormat)}.{member.Name}"
                : $"({enumType.ToDisplayString(typeFormat)}){Convert.ToString(value, CultureInfo.InvariantCulture)}";
        }

        return value switch
        {
            double number => double.IsNaN(number) ? "double.NaN" : double.IsPositiveInfinity(number) ? "double.PositiveInfinity" : double.IsNegativeInfinity(number) ? "double.NegativeInfinity" : number.ToString("R", CultureInfo.InvariantCulture) + "d",
            float number => number.ToString("R", CultureInfo.InvariantCulture) + "f",
            decimal number => number.ToString(CultureInfo.InvariantCulture) + "m",
            long number => number.ToString(CultureInfo.InvariantCulture) + "L",
            ulong number => number.ToString(CultureInfo.InvariantCulture) + "UL",
            uint number => number.ToString(CultureInfo.InvariantCulture) + "U",
            _ => SymbolDisplay.FormatPrimitive(value, quoteStrings: true, useHexadecimalNumbers: false),
        };
    }

    /// <summary>The <c>&lt;param&gt;</c> texts of a type (primary constructor) or method, by parameter name.</summary>
    public static Dictionary<string, string> ParameterTexts(ISymbol symbol)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Parse(symbol) is not { } root)
        {
            return result;
        }

        foreach (var param in root.Descendants("param"))
        {
            if (param.Attribute("name")?.Value is { Length: > 0 } name)
            {
                result[name] = Text(param);
            }
        }

        return result;
    }

    /// <summary>The <c>&lt;summary&gt;</c> text, or null.</summary>
    public static string? Summary(ISymbol symbol)
        => Parse(symbol)?.Descendants("summary").FirstOrDefault() is { } summary && Text(summary) is { Length: > 0 } text ? text : null;

    private static XElement? Parse(ISymbol symbol)
    {
        var xml = symbol.GetDocumentationCommentXml(expandIncludes: false);
        if (string.IsNullOrWhiteSpace(xml))
        {
            xml = FromTrivia(symbol);
        }

        if (string.IsNullOrWhiteSpace(xml))
        {
            return null;
        }

        try
        {
            return XElement.Parse("<doc>" + xml + "</doc>");
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    // Without a documentation file the compiler keeps /// comments as plain trivia; read them from the syntax.
    private static string? FromTrivia(ISymbol symbol)
    {
        var text = new StringBuilder();
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            foreach (var trivia in reference.GetSyntax().GetLeadingTrivia())
            {
                if (trivia.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia) || trivia.IsKind(SyntaxKind.SingleLineCommentTrivia))
                {
                    foreach (var line in trivia.ToFullString().Split('\n'))
                    {
                        var trimmed = line.Trim();
                        if (trimmed.StartsWith("///", StringComparison.Ordinal))
                        {
                            text.AppendLine(trimmed.Substring(3));
                        }
                    }
                }
            }
        }

        return text.Length == 0 ? null : text.ToString();
    }

    // Element text with <see cref="X"/> / <paramref name="x"/> as their names, whitespace collapsed.
    private static string Text(XElement element)
    {
        var builder = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            builder.Append(node switch
            {
                XText text => text.Value,
                XElement { Name.LocalName: "see" or "seealso" } see => Last(see.Attribute("cref")?.Value ?? see.Attribute("langword")?.Value ?? see.Value),
                XElement { Name.LocalName: "paramref" or "typeparamref" } reference => reference.Attribute("name")?.Value ?? string.Empty,
                XElement inner => Text(inner),
                _ => string.Empty,
            });
        }

        return Whitespace.Replace(builder.ToString(), " ").Trim();
    }

    private static string Last(string cref)
    {
        var colon = cref.IndexOf(':');
        var name = colon >= 0 ? cref.Substring(colon + 1) : cref;
        var parameters = name.IndexOf('(');
        name = parameters >= 0 ? name.Substring(0, parameters) : name;
        var dot = name.LastIndexOf('.');
        return dot >= 0 ? name.Substring(dot + 1) : name;
    }
}
