using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// The namespace, containing types and hint name of a class that an opt-in attribute ([OnnxExport], [Serve])
/// extends with a generated file of its own; the class and every containing type must be partial classes.
/// </summary>
internal static class PartialClassHierarchy
{
    /// <summary>Returns the hierarchy, or null after reporting why the class cannot be extended.</summary>
    /// <param name="type">The class.</param>
    /// <param name="hintSuffix">Appended to the metadata name for the hint name, e.g. ".OnnxExport".</param>
    /// <param name="attribute">The attribute, for messages, e.g. "[OnnxExport]".</param>
    /// <param name="addition">What Volt adds, for messages, e.g. "its ExportOnnx method".</param>
    /// <param name="report">Receives the problem.</param>
    /// <param name="cancellationToken">Cancels the syntax lookups.</param>
    public static HierarchyInfo? Parse(INamedTypeSymbol type, string hintSuffix, string attribute, string addition, Action<string> report, CancellationToken cancellationToken)
    {
        var containing = new List<string>();
        var metadataNames = new List<string> { type.MetadataName };
        if (type.TypeKind != TypeKind.Class || type.IsRecord || type.IsStatic || !IsPartial(type, cancellationToken))
        {
            report($"{attribute} is on '{type.Name}', which must be a partial class (on every declaration) so Volt can add {addition}.");
            return null;
        }

        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (outer.TypeKind != TypeKind.Class || outer.IsRecord || !IsPartial(outer, cancellationToken))
            {
                report($"'{type.Name}' is nested in '{outer.Name}', which must be a partial class too so Volt can add {addition}.");
                return null;
            }

            containing.Insert(0, (outer.IsStatic ? "static partial class " : "partial class ") + DeclarationName(outer));
            metadataNames.Insert(0, outer.MetadataName);
        }

        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        var plainNamespace = ns.Replace("@", string.Empty);
        var hintName = HintNames.Create((plainNamespace.Length > 0 ? plainNamespace + "." : string.Empty) + string.Join("+", metadataNames) + hintSuffix);
        return new HierarchyInfo(ns, containing.ToEquatableArray(), "partial class " + DeclarationName(type), hintName);
    }

    /// <summary>The class's name as declared, with its type parameters: <c>Mlp&lt;T&gt;</c>.</summary>
    public static string DeclarationName(INamedTypeSymbol symbol)
        => symbol.TypeParameters.Length == 0 ? symbol.Name : symbol.Name + "<" + string.Join(", ", symbol.TypeParameters.Select(t => t.Name)) + ">";

    private static bool IsPartial(INamedTypeSymbol symbol, CancellationToken cancellationToken)
        => symbol.DeclaringSyntaxReferences.Length > 0
           && symbol.DeclaringSyntaxReferences.All(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax d && d.Modifiers.Any(SyntaxKind.PartialKeyword));
}
