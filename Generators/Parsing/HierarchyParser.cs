using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Reads where a module class is declared: its namespace, the partial declarations of its containing
/// types, and the generated file's hint name. Reports a class or containing type that is not partial
/// and a module nested in an interface.
/// </summary>
internal sealed class HierarchyParser(INamedTypeSymbol type, List<ModuleProblem> problems, CancellationToken cancellationToken)
{
    public HierarchyInfo Parse()
    {
        if (!IsPartialEverywhere(type))
        {
            problems.Report(ModuleProblemKind.NotPartial, type.Name, type.Name, Quote(type.Name));
        }

        var containing = new List<string>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (!IsPartialEverywhere(outer))
            {
                problems.Report(ModuleProblemKind.NotPartial, outer.Name, type.Name, Quote(outer.Name));
            }

            if (outer.TypeKind == TypeKind.Interface)
            {
                problems.Report(ModuleProblemKind.UnsupportedClassShape, outer.Name, type.Name, $"is nested in the interface '{outer.Name}'");
            }

            containing.Insert(0, "partial " + TypeKeyword(outer) + " " + DeclarationName(outer));
        }

        var metadataNames = new List<string>();
        for (var current = type; current is not null; current = current.ContainingType)
        {
            metadataNames.Insert(0, current.MetadataName);
        }

        // The display string escapes keywords (namespace @event); the hint name uses the plain names.
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() : string.Empty;
        var plainNamespace = type.ContainingNamespace is { IsGlobalNamespace: false } ? ns.Replace("@", string.Empty) : string.Empty;
        var hintName = HintNames.Create((plainNamespace.Length > 0 ? plainNamespace + "." : string.Empty) + string.Join("+", metadataNames));
        return new HierarchyInfo(ns, containing.ToEquatableArray(), "partial class " + DeclarationName(type), hintName);
    }

    /// <summary>The keyword that declares <paramref name="symbol"/>: class, struct, record, record struct or interface.</summary>
    public static string TypeKeyword(INamedTypeSymbol symbol) => symbol switch
    {
        { IsRecord: true, IsValueType: true } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    /// <summary>The name as declared, with its type parameters: <c>Regressor&lt;T&gt;</c>.</summary>
    public static string DeclarationName(INamedTypeSymbol symbol)
        => symbol.TypeParameters.Length == 0
            ? SymbolExtensions.Escape(symbol.Name)
            : SymbolExtensions.Escape(symbol.Name) + "<" + string.Join(", ", symbol.TypeParameters.Select(t => SymbolExtensions.Escape(t.Name))) + ">";

    private static string Quote(string name) => "'" + name + "'";

    private bool IsPartialEverywhere(INamedTypeSymbol symbol)
    {
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (reference.GetSyntax(cancellationToken) is not TypeDeclarationSyntax declaration
                || !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                return false;
            }
        }

        return symbol.DeclaringSyntaxReferences.Length > 0;
    }
}
