using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Reads what a [GenerateCli] module's command line needs: the module's and the data module's
/// constructor parameters (types, defaults, &lt;param&gt; docs), TrainerOptions' plain properties,
/// and which steps the module has.
/// </summary>
internal static class CliParser
{
    public const string GenerateCliAttribute = "Volt.Cli.GenerateCliAttribute";
    private const string TrainerOptionsType = "Volt.TrainerOptions";
    private const string BatchLimitType = "Volt.BatchLimit";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static CliModel Parse(Compilation compilation, INamedTypeSymbol module, AttributeData attribute, CancellationToken cancellationToken)
    {
        var ns = module.ContainingNamespace.IsGlobalNamespace ? null : module.ContainingNamespace.ToDisplayString();
        var moduleType = module.ToDisplayString(TypeFormat);
        var problems = new List<string>();
        var data = attribute.ConstructorArguments.Length == 1 ? attribute.ConstructorArguments[0].Value as INamedTypeSymbol : null;
        if (data is null || !DerivesFromDataModule(data))
        {
            problems.Add($"[GenerateCli] needs a data module type: a class deriving from Volt.Data.DataModule<TBatch>, e.g. [GenerateCli(typeof(MyData))]; '{data?.ToDisplayString() ?? "null"}' is not one");
        }

        if (module.IsGenericType || module.ContainingType is not null)
        {
            problems.Add($"[GenerateCli] works on a top-level, non-generic module class; '{module.Name}' is {(module.IsGenericType ? "generic" : "nested")}");
        }

        cancellationToken.ThrowIfCancellationRequested();
        var modelOptions = ConstructorOptions("model", module, problems);
        var dataOptions = data is null ? [] : ConstructorOptions("data", data, problems);
        var trainerOptions = TrainerOptions(compilation);
        return new CliModel(
            ns,
            module.Name,
            moduleType,
            module.DeclaredAccessibility == Accessibility.Public,
            data?.ToDisplayString(TypeFormat) ?? string.Empty,
            HasStep(module, "Volt.ValidationStepAttribute"),
            HasStep(module, "Volt.TestStepAttribute"),
            HasStep(module, "Volt.PredictStepAttribute"),
            modelOptions.ToEquatableArray(),
            trainerOptions.ToEquatableArray(),
            dataOptions.ToEquatableArray(),
            problems.Count == 0 ? null : string.Join("; ", problems));
    }

    /// <summary>The kebab-case form of a C# name: hiddenSize and HiddenSize become hidden-size, CheckValEveryNEpoch check-val-every-n-epoch.</summary>
    public static string ToKebabCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                if (i > 0 && previous != '_' && (char.IsLower(previous) || char.IsDigit(previous) || (char.IsUpper(previous) && char.IsLower(next))))
                {
                    builder.Append('-');
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c == '_' ? '-' : c);
            }
        }

        return builder.ToString();
    }

    private static List<CliOptionModel> ConstructorOptions(string section, INamedTypeSymbol type, List<string> problems)
    {
        var options = new List<CliOptionModel>();
        var constructor = type.InstanceConstructors
            .Where(c => c.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal)
            .OrderByDescending(c => c.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax))
            .ThenByDescending(c => c.Parameters.Length)
            .FirstOrDefault();
        if (constructor is null)
        {
            problems.Add($"'{type.Name}' has no public or internal constructor the command line can call");
            return options;
        }

        var texts = Documentation.ParameterTexts(type);
        foreach (var pair in Documentation.ParameterTexts(constructor))
        {
            texts[pair.Key] = pair.Value;
        }

        foreach (var parameter in constructor.Parameters)
        {
            var kind = KindOf(parameter.Type);
            var defaultLiteral = Documentation.DefaultLiteral(parameter, TypeFormat);
            if (kind is null)
            {
                if (defaultLiteral is null)
                {
                    problems.Add($"the parameter '{parameter.Name}' of '{type.Name}' has the type '{parameter.Type.ToDisplayString()}', which no command-line option can hold; give it a default value or use a number, bool, string, enum or an array of them");
                }

                continue;
            }

            options.Add(new CliOptionModel(
                section,
                ToKebabCase(parameter.Name),
                parameter.Name,
                parameter.Type.ToDisplayString(TypeFormat),
                kind.Value,
                defaultLiteral,
                texts.TryGetValue(parameter.Name, out var text) ? text : $"The {type.Name} constructor's {parameter.Name}.",
                EnumMembers(parameter.Type)));
        }

        return options;
    }

    private static List<CliOptionModel> TrainerOptions(Compilation compilation)
    {
        var options = new List<CliOptionModel>();
        if (compilation.GetTypeByMetadataName(TrainerOptionsType) is not { } trainerOptions)
        {
            return options;
        }

        foreach (var property in trainerOptions.GetMembers().OfType<IPropertySymbol>())
        {
            if (property.IsStatic || property.DeclaredAccessibility != Accessibility.Public
                || property.SetMethod is not { DeclaredAccessibility: Accessibility.Public }
                || KindOf(property.Type) is not { } kind || kind == CliValueKind.Array)
            {
                continue;
            }

            options.Add(new CliOptionModel(
                "trainer",
                ToKebabCase(property.Name),
                property.Name,
                property.Type.ToDisplayString(TypeFormat),
                kind,
                "defaults." + property.Name,
                Documentation.Summary(property) ?? $"TrainerOptions.{property.Name}.",
                EnumMembers(property.Type)));
        }

        return options;
    }

    private static CliValueKind? KindOf(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type is IArrayTypeSymbol { Rank: 1, ElementType: var element } && KindOf(element) is CliValueKind.Plain or CliValueKind.Enum
            && element.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T)
        {
            return CliValueKind.Array;
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return CliValueKind.Enum;
        }

        if (type.ToDisplayString() == BatchLimitType)
        {
            return CliValueKind.BatchLimit;
        }

        return HyperparameterParser.JsonKindOf(type) is JsonValueKind.Number or JsonValueKind.Boolean or JsonValueKind.String
            ? CliValueKind.Plain
            : null;
    }

    private static EquatableArray<string> EnumMembers(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
        {
            type = nullable.TypeArguments[0];
        }

        if (type is IArrayTypeSymbol array)
        {
            type = array.ElementType;
        }

        return type.TypeKind == TypeKind.Enum
            ? type.GetMembers().OfType<IFieldSymbol>().Where(f => f.HasConstantValue).Select(f => f.Name).ToEquatableArray()
            : EquatableArray<string>.Empty;
    }

    private static bool DerivesFromDataModule(INamedTypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current.OriginalDefinition.MetadataName == "DataModule`1" && current.ContainingNamespace.ToDisplayString() == "Volt.Data")
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasStep(INamedTypeSymbol module, string attribute)
        => module.GetMembers().OfType<IMethodSymbol>().Any(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute));
}
