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
    public const string CliAliasAttribute = "Volt.Cli.CliAliasAttribute";
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
        var (aliases, aliasProblems) = Aliases(module, modelOptions.Concat(trainerOptions).Concat(dataOptions), cancellationToken);
        return new CliModel(
            ns,
            module.Name,
            moduleType,
            module.DeclaredAccessibility == Accessibility.Public,
            data?.ToDisplayString(TypeFormat) ?? string.Empty,
            HasStep(module, "Volt.ValidationStepAttribute"),
            HasStep(module, "Volt.TestStepAttribute"),
            HasStep(module, "Volt.PredictStepAttribute") && PredictsDataModuleBatches(module, data),
            modelOptions.ToEquatableArray(),
            trainerOptions.ToEquatableArray(),
            dataOptions.ToEquatableArray(),
            aliases.ToEquatableArray(),
            aliasProblems.ToEquatableArray(),
            problems.Count == 0 ? null : string.Join("; ", problems));
    }

    /// <summary>The options every subcommand has besides the --model.*, --trainer.* and --data.* ones (the names without dashes).</summary>
    public static readonly string[] BuiltInOptions = ["config", "print-config", "ckpt-path"];

    // What System.CommandLine gives every subcommand already.
    private static readonly string[] ReservedNames = ["--help", "-h", "-?", "/h", "/?"];

    /// <summary>
    /// Checks the module's [CliAlias] attributes: each must be an option token (VOLT0074), name an
    /// option (VOLT0072) and clash with no option name, reserved name or earlier alias (VOLT0073).
    /// </summary>
    private static (List<CliAliasModel> Aliases, List<CliAliasProblem> Problems) Aliases(INamedTypeSymbol module, IEnumerable<CliOptionModel> options, CancellationToken cancellationToken)
    {
        var optionNames = options.Select(o => o.Section + "." + o.Key).Concat(BuiltInOptions).ToList();
        var taken = new HashSet<string>(optionNames.Select(n => "--" + n).Concat(ReservedNames), StringComparer.Ordinal);
        var aliases = new List<CliAliasModel>();
        var problems = new List<CliAliasProblem>();
        foreach (var attribute in module.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attribute.AttributeClass?.ToDisplayString() != CliAliasAttribute
                || attribute.ConstructorArguments.Length != 2
                || attribute.ConstructorArguments[0].Value is not string alias
                || attribute.ConstructorArguments[1].Value is not string option)
            {
                continue;
            }

            var location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation();
            if (!IsOptionToken(alias))
            {
                problems.Add(new CliAliasProblem(CliAliasProblemKind.NotAnOptionToken, alias, "an alias is a dash and a letter (-e) or two dashes and a name of letters, digits, '-' and '.' (--epochs)", location));
            }
            else if (!optionNames.Contains(option))
            {
                var near = optionNames.Where(n => n.EndsWith("." + option, StringComparison.Ordinal) || n.EndsWith(option.TrimStart('-'), StringComparison.Ordinal)).ToList();
                problems.Add(new CliAliasProblem(
                    CliAliasProblemKind.UnknownOption,
                    alias,
                    $"'{option}' is not an option of {module.Name}'s command line; write the option without dashes, with its section{(near.Count > 0 ? ", e.g. '" + near[0] + "'" : ", e.g. 'trainer.max-epochs'")}",
                    location));
            }
            else if (!taken.Add(alias))
            {
                var owner = optionNames.Contains(alias.TrimStart('-')) ? $"the option {alias}" : ReservedNames.Contains(alias) ? "System.CommandLine's help option" : "another [CliAlias]";
                problems.Add(new CliAliasProblem(CliAliasProblemKind.Clash, alias, $"{owner} already has this name", location));
            }
            else
            {
                aliases.Add(new CliAliasModel(alias, option));
            }
        }

        return (aliases, problems);
    }

    private static bool IsOptionToken(string alias)
        => alias.Length == 2 ? alias[0] == '-' && char.IsLetterOrDigit(alias[1])
            : alias.Length > 2 && alias.StartsWith("--", StringComparison.Ordinal) && char.IsLetterOrDigit(alias[2])
                && alias.Skip(2).All(c => c is '-' or '.' || (c < 128 && char.IsLetterOrDigit(c)));

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

    private static bool DerivesFromDataModule(INamedTypeSymbol type) => DataModuleBatch(type) is not null;

    // The predict subcommand feeds the data module's PredictLoader to the [PredictStep], so their batch types must be the same.
    private static bool PredictsDataModuleBatches(INamedTypeSymbol module, INamedTypeSymbol? data)
    {
        var batch = DataModuleBatch(data);
        return batch is not null && module.GetMembers().OfType<IMethodSymbol>().Any(m =>
            m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == "Volt.PredictStepAttribute")
            && m.Parameters.Length > 0
            && SymbolEqualityComparer.Default.Equals(m.Parameters[0].Type, batch));
    }

    private static ITypeSymbol? DataModuleBatch(INamedTypeSymbol? type)
    {
        for (var current = type?.BaseType; current is not null; current = current.BaseType)
        {
            if (current.OriginalDefinition.MetadataName == "DataModule`1" && current.ContainingNamespace.ToDisplayString() == "Volt.Data")
            {
                return current.TypeArguments[0];
            }
        }

        return null;
    }

    private static bool HasStep(INamedTypeSymbol module, string attribute)
        => module.GetMembers().OfType<IMethodSymbol>().Any(m => m.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == attribute));
}
