using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Finds a module's hyperparameters and the constructor that rebuilds the module from them.
/// With a primary constructor, its parameters are the hyperparameters (only those marked
/// [Hyperparameter] when any is marked; parameters whose type cannot be written to JSON are left
/// out unless marked). [Hyperparameter] properties are added in either case.
/// </summary>
internal sealed class HyperparameterParser(INamedTypeSymbol type, Compilation compilation, List<ModuleProblem> problems, SymbolDisplayFormat typeFormat)
{
    private static readonly HashSet<string> ReservedRecordNames = new(StringComparer.Ordinal)
    {
        "Hyperparameters", "EqualityContract", "Equals", "GetHashCode", "ToString", "Deconstruct", "PrintMembers",
        "WriteJsonProperties", "GetType", "MemberwiseClone", "Finalize",
    };

    public HyperparametersModel Parse()
    {
        var items = new List<HyperparameterModel>();
        var primary = type.InstanceConstructors.FirstOrDefault(IsPrimaryConstructor);
        if (primary is not null)
        {
            var marked = primary.Parameters.Any(p => ModuleParser.HasAttribute(p, WellKnownNames.HyperparameterAttribute));
            var texts = Documentation.ParameterTexts(type);
            foreach (var parameter in primary.Parameters)
            {
                var isMarked = ModuleParser.HasAttribute(parameter, WellKnownNames.HyperparameterAttribute);
                var kind = JsonKindOf(parameter.Type);
                if (marked && !isMarked)
                {
                    continue;
                }

                if (kind == JsonValueKind.Other)
                {
                    if (isMarked)
                    {
                        ReportUnsupported(parameter.Name, parameter.Type);
                    }

                    continue;
                }

                items.Add(new HyperparameterModel(
                    parameter.Name,
                    SymbolExtensions.ToPascalCase(parameter.Name),
                    parameter.Type.ToDisplayString(typeFormat),
                    kind,
                    IsNullableValue(parameter.Type),
                    HyperparameterSource.ConstructorParameter,
                    WellKnownNames.CaptureFieldPrefix + parameter.Name,
                    ElementKindOf(parameter.Type),
                    ElementTypeOf(parameter.Type),
                    Documentation.DefaultLiteral(parameter, typeFormat),
                    texts.TryGetValue(parameter.Name, out var text) ? text : null));
            }
        }

        foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
        {
            if (!ModuleParser.HasAttribute(property, WellKnownNames.HyperparameterAttribute))
            {
                continue;
            }

            if (property.IsStatic || property.GetMethod is null || property.IsIndexer || JsonKindOf(property.Type) == JsonValueKind.Other)
            {
                ReportUnsupported(property.Name, property.Type);
                continue;
            }

            items.Add(new HyperparameterModel(
                property.Name,
                SymbolExtensions.ToPascalCase(property.Name),
                property.Type.ToDisplayString(typeFormat),
                JsonKindOf(property.Type),
                IsNullableValue(property.Type),
                HyperparameterSource.Property,
                property.Name,
                ElementKindOf(property.Type),
                ElementTypeOf(property.Type),
                Documentation: Documentation.Summary(property)));
        }

        CheckRecordNames(items);
        return BuildFactory(items, primary);
    }

    private HyperparametersModel BuildFactory(List<HyperparameterModel> items, IMethodSymbol? primary)
    {
        var candidates = primary is not null ? [primary] : type.InstanceConstructors.Where(c => !c.IsImplicitlyDeclared || c.Parameters.Length == 0).ToList();
        List<ConstructorArgumentModel>? bestArguments = null;
        List<string>? bestInitializers = null;
        var bestMatched = -1;
        foreach (var constructor in candidates)
        {
            if (constructor.Parameters.Any(p => p.RefKind != RefKind.None || p.IsParams))
            {
                continue;
            }

            var arguments = new List<ConstructorArgumentModel>();
            var covered = new HashSet<string>(StringComparer.Ordinal);
            foreach (var parameter in constructor.Parameters)
            {
                var match = items.FirstOrDefault(h =>
                    string.Equals(h.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)
                    && h.Type == parameter.Type.ToDisplayString(typeFormat));
                if (match is not null)
                {
                    covered.Add(match.RecordPropertyName);
                }

                arguments.Add(new ConstructorArgumentModel(parameter.Name, match?.RecordPropertyName, parameter.Type.ToDisplayString(typeFormat), parameter.HasExplicitDefaultValue));
            }

            var initializers = new List<string>();
            var restorable = true;
            foreach (var item in items.Where(h => !covered.Contains(h.RecordPropertyName)))
            {
                if (item.Source == HyperparameterSource.Property
                    && type.GetMembers(item.Name).OfType<IPropertySymbol>().FirstOrDefault() is { SetMethod: { } setter }
                    && compilation.IsSymbolAccessibleWithin(setter, type))
                {
                    initializers.Add(item.RecordPropertyName);
                }
                else
                {
                    restorable = false;
                }
            }

            if (restorable && (covered.Count > bestMatched || (covered.Count == bestMatched && arguments.Count < bestArguments!.Count)))
            {
                bestMatched = covered.Count;
                bestArguments = arguments;
                bestInitializers = initializers;
            }
        }

        return new HyperparametersModel(
            items.ToEquatableArray(),
            (bestArguments ?? []).ToEquatableArray(),
            (bestInitializers ?? []).ToEquatableArray(),
            bestArguments is not null);
    }

    private void CheckRecordNames(List<HyperparameterModel> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (ReservedRecordNames.Contains(item.RecordPropertyName) || !seen.Add(item.RecordPropertyName))
            {
                problems.Report(
                    ModuleProblemKind.UnsupportedHyperparameter,
                    item.Name,
                    item.Name,
                    type.Name,
                    $"becomes the property '{item.RecordPropertyName}' of the generated Hyperparameters record, which is reserved or already taken; rename it");
            }
        }
    }

    private void ReportUnsupported(string name, ITypeSymbol parameterType)
        => problems.Report(
            ModuleProblemKind.UnsupportedHyperparameter,
            name,
            name,
            type.Name,
            $"has the type '{parameterType.ToDisplayString()}', which hparams.json cannot hold; hyperparameters are numbers, bool, string or enums (optionally nullable) or one-dimensional arrays of them, on readable instance properties or constructor parameters");

    private static bool IsPrimaryConstructor(IMethodSymbol constructor)
        => constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax);

    private static JsonValueKind ElementKindOf(ITypeSymbol type)
        => type is IArrayTypeSymbol array ? JsonKindOf(array.ElementType) : JsonValueKind.Other;

    private string ElementTypeOf(ITypeSymbol type)
        => type is IArrayTypeSymbol array ? array.ElementType.ToDisplayString(typeFormat) : string.Empty;

    private static bool IsNullableValue(ITypeSymbol type)
        => type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;

    internal static JsonValueKind JsonKindOf(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return JsonValueKind.Enum;
        }

        // Arrays of plain values (int[] layerSizes) are JSON arrays; arrays of nullable values or of arrays are not supported.
        if (type is IArrayTypeSymbol { Rank: 1, ElementType: var element }
            && element.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T
            && JsonKindOf(element) is not (JsonValueKind.Other or JsonValueKind.Array))
        {
            return JsonValueKind.Array;
        }

        return type.SpecialType switch
        {
            SpecialType.System_Boolean => JsonValueKind.Boolean,
            SpecialType.System_String => JsonValueKind.String,
            SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16 or SpecialType.System_UInt16
                or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64
                or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Decimal => JsonValueKind.Number,
            _ => JsonValueKind.Other,
        };
    }
}
