using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Reads the [FloatRange], [IntRange] and [Choices] attributes on a module's hyperparameters and
/// checks each space against the hyperparameter's type and default. The generator and the
/// analyzers share it: the generator emits sampling code only when no problem was found.
/// </summary>
internal sealed class SearchSpaceParser(INamedTypeSymbol type, Compilation compilation, HyperparametersModel hyperparameters, List<SearchSpaceProblem> problems)
{
    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly string[] AttributeNames = [WellKnownNames.FloatRangeAttribute, WellKnownNames.IntRangeAttribute, WellKnownNames.ChoicesAttribute];

    /// <summary>The search space, or null when none is declared or a declaration has a problem.</summary>
    public SearchSpaceModel? Parse()
    {
        var parameters = new List<SearchParameterModel>();
        var defaults = new Dictionary<string, string?>(StringComparer.Ordinal);
        var problemsBefore = problems.Count;
        foreach (var member in Members())
        {
            var item = hyperparameters.Items.FirstOrDefault(h => h.Name == member.Name && h.Source == member.Source);
            var attributes = member.Symbol.GetAttributes().Where(a => AttributeNames.Contains(a.AttributeClass?.ToDisplayString())).ToList();
            if (item is not null)
            {
                defaults[item.RecordPropertyName] = member.HasDefault ? Literal(member.Default, member.Type) : null;
            }

            if (attributes.Count == 0)
            {
                continue;
            }

            var location = attributes[0].ApplicationSyntaxReference?.GetSyntax().GetLocation();
            if (item is null)
            {
                Report(SearchSpaceProblemKind.NotAHyperparameter, $"'{member.Name}' has a search space but is not a hyperparameter of '{type.Name}'; mark it [Hyperparameter] (a property, or a constructor parameter when others are marked).", location);
                continue;
            }

            if (attributes.Count > 1)
            {
                Report(SearchSpaceProblemKind.SeveralSpaces, $"'{member.Name}' declares {attributes.Count} search spaces; keep one of [FloatRange], [IntRange] and [Choices].", location);
                continue;
            }

            var parsed = attributes[0].AttributeClass!.ToDisplayString() switch
            {
                WellKnownNames.FloatRangeAttribute => ParseFloat(member, item, attributes[0], location),
                WellKnownNames.IntRangeAttribute => ParseInt(member, item, attributes[0], location),
                _ => ParseChoices(member, item, attributes[0], location),
            };
            if (parsed is not null)
            {
                parameters.Add(parsed);
            }
        }

        if (parameters.Count == 0 || problems.Count > problemsBefore)
        {
            return null;
        }

        var defaultArguments = hyperparameters.Items.Select(h => defaults.TryGetValue(h.RecordPropertyName, out var literal) ? literal : null).ToList();
        var ordered = hyperparameters.Items.Select(h => parameters.FirstOrDefault(p => p.RecordPropertyName == h.RecordPropertyName)).Where(p => p is not null).Select(p => p!);
        return new SearchSpaceModel(
            ordered.ToEquatableArray(),
            defaultArguments.All(d => d is not null) ? defaultArguments.Select(d => d!).ToEquatableArray() : EquatableArray<string>.Empty);
    }

    private SearchParameterModel? ParseFloat(Member member, HyperparameterModel item, AttributeData attribute, Location? location)
    {
        var underlying = Underlying(member.Type);
        if (underlying.SpecialType is not (SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Decimal))
        {
            Report(SearchSpaceProblemKind.TypeMismatch, $"[FloatRange] is on '{member.Name}' of type '{member.Type.ToDisplayString()}'; it fits double, float or decimal hyperparameters (use [IntRange] for integers, [Choices] otherwise).", location);
            return null;
        }

        var low = Number(attribute.ConstructorArguments[0]);
        var high = Number(attribute.ConstructorArguments[1]);
        var log = Named(attribute, "Log") is true;
        var step = Named(attribute, "Step") is { } stepValue ? Convert.ToDouble(stepValue, CultureInfo.InvariantCulture) : 0.0;
        if (!IsFinite(low) || !IsFinite(high) || low > high || !IsFinite(step) || step < 0)
        {
            Report(SearchSpaceProblemKind.EmptyRange, $"The range of '{member.Name}' is [{Format(low)}, {Format(high)}]{(step != 0 ? $" with step {Format(step)}" : string.Empty)}; low must be at most high, both finite, and a step above 0 (or left out).", location);
            return null;
        }

        if (log && step > 0)
        {
            Report(SearchSpaceProblemKind.LogWithStep, $"'{member.Name}' has both Log = true and Step = {Format(step)}; a log-scale range has no step (Optuna rejects the pair too).", location);
            return null;
        }

        if (log && low <= 0)
        {
            Report(SearchSpaceProblemKind.LogNotPositive, $"'{member.Name}' is log scale but its low is {Format(low)}; a log range needs low above 0.", location);
            return null;
        }

        if (!CheckDefaultInRange(member, low, high, location))
        {
            return null;
        }

        return new SearchParameterModel(
            item.Name, item.RecordPropertyName, item.Type, SearchKind.Float, CastFor(underlying, SpecialType.System_Double),
            Format(low), Format(high), step > 0 ? Format(step) : null, log, string.Empty, EquatableArray<string>.Empty, EquatableArray<string>.Empty);
    }

    private SearchParameterModel? ParseInt(Member member, HyperparameterModel item, AttributeData attribute, Location? location)
    {
        var underlying = Underlying(member.Type);
        if (!IsInteger(underlying))
        {
            Report(SearchSpaceProblemKind.TypeMismatch, $"[IntRange] is on '{member.Name}' of type '{member.Type.ToDisplayString()}'; it fits integer hyperparameters (use [FloatRange] for floating-point ones, [Choices] otherwise).", location);
            return null;
        }

        var low = Convert.ToInt64(attribute.ConstructorArguments[0].Value, CultureInfo.InvariantCulture);
        var high = Convert.ToInt64(attribute.ConstructorArguments[1].Value, CultureInfo.InvariantCulture);
        var step = Named(attribute, "Step") is { } stepValue ? Convert.ToInt64(stepValue, CultureInfo.InvariantCulture) : 1L;
        var log = Named(attribute, "Log") is true;
        if (low > high || step <= 0)
        {
            Report(SearchSpaceProblemKind.EmptyRange, $"The range of '{member.Name}' is [{low}, {high}] with step {step}; low must be at most high and the step at least 1.", location);
            return null;
        }

        if (!Fits(underlying, low) || !Fits(underlying, high))
        {
            Report(SearchSpaceProblemKind.TypeMismatch, $"The range [{low}, {high}] of '{member.Name}' does not fit its type '{member.Type.ToDisplayString()}'.", location);
            return null;
        }

        if (log && step != 1)
        {
            Report(SearchSpaceProblemKind.LogWithStep, $"'{member.Name}' has both Log = true and Step = {step}; a log-scale integer range steps by 1.", location);
            return null;
        }

        if (log && low <= 0)
        {
            Report(SearchSpaceProblemKind.LogNotPositive, $"'{member.Name}' is log scale but its low is {low}; a log range needs low of at least 1.", location);
            return null;
        }

        if (!CheckDefaultInRange(member, low, high, location))
        {
            return null;
        }

        var literal = (long value) => value.ToString(CultureInfo.InvariantCulture);
        return new SearchParameterModel(
            item.Name, item.RecordPropertyName, item.Type, SearchKind.Int, CastFor(underlying, SpecialType.System_Int64),
            literal(low), literal(high), literal(step), log, string.Empty, EquatableArray<string>.Empty, EquatableArray<string>.Empty);
    }

    private SearchParameterModel? ParseChoices(Member member, HyperparameterModel item, AttributeData attribute, Location? location)
    {
        var values = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Kind == TypedConstantKind.Array
            ? attribute.ConstructorArguments[0].Values
            : attribute.ConstructorArguments;
        if (values.Length == 0)
        {
            Report(SearchSpaceProblemKind.BadChoices, $"[Choices] on '{member.Name}' lists no values; give at least one.", location);
            return null;
        }

        var literals = new List<string>();
        var stored = new List<string>();
        foreach (var value in values)
        {
            if (ChoiceLiteral(value, member.Type) is not { } literal)
            {
                Report(SearchSpaceProblemKind.TypeMismatch, $"The choice {Display(value)} of '{member.Name}' is not a '{member.Type.ToDisplayString()}'; every choice must be a value of the hyperparameter's type.", location);
                return null;
            }

            literals.Add(literal);
            stored.Add(StoredLiteral(value, member.Type));
        }

        var duplicate = literals.GroupBy(l => l, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            Report(SearchSpaceProblemKind.BadChoices, $"[Choices] on '{member.Name}' lists {duplicate.Key} twice; each choice once.", location);
            return null;
        }

        if (member.HasDefault && Literal(member.Default, member.Type) is { } defaultLiteral && !literals.Contains(defaultLiteral))
        {
            Report(SearchSpaceProblemKind.DefaultOutside, $"The default {defaultLiteral} of '{member.Name}' is not one of its choices ({string.Join(", ", literals)}); add it or change the default.", location);
            return null;
        }

        return new SearchParameterModel(
            item.Name, item.RecordPropertyName, item.Type, SearchKind.Choices, string.Empty, string.Empty, string.Empty, null, false,
            member.Type.ToDisplayString(TypeFormat), literals.ToEquatableArray(), stored.ToEquatableArray());
    }

    private bool CheckDefaultInRange(Member member, double low, double high, Location? location)
    {
        if (!member.HasDefault || member.Default is null)
        {
            return true;
        }

        var value = Convert.ToDouble(member.Default, CultureInfo.InvariantCulture);
        if (value >= low && value <= high)
        {
            return true;
        }

        Report(SearchSpaceProblemKind.DefaultOutside, $"The default {Format(value)} of '{member.Name}' is outside its search range [{Format(low)}, {Format(high)}]; widen the range or change the default.", location);
        return false;
    }

    private IEnumerable<Member> Members()
    {
        var primary = type.InstanceConstructors.FirstOrDefault(c => c.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is TypeDeclarationSyntax));
        if (primary is not null)
        {
            foreach (var parameter in primary.Parameters)
            {
                yield return new Member(parameter, parameter.Name, parameter.Type, HyperparameterSource.ConstructorParameter, parameter.HasExplicitDefaultValue, parameter.HasExplicitDefaultValue ? parameter.ExplicitDefaultValue : null);
            }
        }

        foreach (var property in type.GetMembers().OfType<IPropertySymbol>())
        {
            var (hasDefault, value) = PropertyInitializer(property);
            yield return new Member(property, property.Name, property.Type, HyperparameterSource.Property, hasDefault, value);
        }
    }

    private (bool HasDefault, object? Value) PropertyInitializer(IPropertySymbol property)
    {
        foreach (var reference in property.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is PropertyDeclarationSyntax { Initializer: { } initializer } syntax)
            {
                var constant = compilation.GetSemanticModel(syntax.SyntaxTree).GetConstantValue(initializer.Value);
                return constant.HasValue ? (true, constant.Value) : (false, null);
            }
        }

        return (false, null);
    }

    private static string? ChoiceLiteral(TypedConstant value, ITypeSymbol target)
    {
        var underlying = Underlying(target);
        if (value.IsNull)
        {
            return IsNullable(target) ? "null" : null;
        }

        if (underlying.TypeKind == TypeKind.Enum)
        {
            return value.Kind == TypedConstantKind.Enum && SymbolEqualityComparer.Default.Equals(value.Type, underlying) ? Literal(value.Value, underlying) : null;
        }

        return value.Value switch
        {
            string when underlying.SpecialType == SpecialType.System_String => Literal(value.Value, underlying),
            bool when underlying.SpecialType == SpecialType.System_Boolean => Literal(value.Value, underlying),
            byte or sbyte or short or ushort or int or uint or long or ulong when IsInteger(underlying) && Fits(underlying, Convert.ToDecimal(value.Value, CultureInfo.InvariantCulture)) => Literal(value.Value, underlying),
            byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
                when underlying.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Decimal => Literal(value.Value, underlying),
            _ => null,
        };
    }

    private static string StoredLiteral(TypedConstant value, ITypeSymbol target)
    {
        var underlying = Underlying(target);
        if (value.IsNull)
        {
            return "null";
        }

        if (underlying.TypeKind == TypeKind.Enum)
        {
            var member = underlying.GetMembers().OfType<IFieldSymbol>().First(f => f.HasConstantValue && Equals(f.ConstantValue, value.Value));
            return SymbolDisplay.FormatLiteral(member.Name, quote: true);
        }

        return value.Value switch
        {
            string text => SymbolDisplay.FormatLiteral(text, quote: true),
            bool flag => flag ? "true" : "false",
            _ when IsInteger(underlying) => Convert.ToInt64(value.Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "L",
            _ => Format(Convert.ToDouble(value.Value, CultureInfo.InvariantCulture)) + "D",
        };
    }

    /// <summary>A C# literal of <paramref name="value"/> as a value of <paramref name="type"/>, or null when none can be written.</summary>
    private static string? Literal(object? value, ITypeSymbol type)
    {
        var underlying = Underlying(type);
        if (value is null)
        {
            return IsNullable(type) ? "null" : null;
        }

        if (underlying.TypeKind == TypeKind.Enum)
        {
            var member = underlying.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, value));
            var enumType = underlying.ToDisplayString(TypeFormat);
            return member is not null ? enumType + "." + member.Name : $"({enumType}){Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)}";
        }

        return underlying.SpecialType switch
        {
            SpecialType.System_String => value is string text ? SymbolDisplay.FormatLiteral(text, quote: true) : null,
            SpecialType.System_Boolean => value is bool flag ? (flag ? "true" : "false") : null,
            SpecialType.System_Double => Format(Convert.ToDouble(value, CultureInfo.InvariantCulture)) + "D",
            SpecialType.System_Single => Format(Convert.ToSingle(value, CultureInfo.InvariantCulture)) + "F",
            SpecialType.System_Decimal => Convert.ToDecimal(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "M",
            SpecialType.System_Int32 => Convert.ToInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture),
            SpecialType.System_Int64 => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "L",
            SpecialType.System_UInt64 => Convert.ToUInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "UL",
            SpecialType.System_UInt32 => Convert.ToUInt32(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + "U",
            _ when IsInteger(underlying) => $"({underlying.ToDisplayString(TypeFormat)}){Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)}",
            _ => null,
        };
    }

    private static string CastFor(ITypeSymbol underlying, SpecialType returned)
        => underlying.SpecialType == returned ? string.Empty : $"({underlying.ToDisplayString(TypeFormat)})";

    private static string Display(TypedConstant value) => value.IsNull ? "null" : value.Kind == TypedConstantKind.Enum ? $"{value.Type?.Name} value {value.Value}" : value.ToCSharpString();

    private static object? Named(AttributeData attribute, string name)
        => attribute.NamedArguments.FirstOrDefault(a => a.Key == name) is { Key: not null } pair ? pair.Value.Value : null;

    private static double Number(TypedConstant constant) => Convert.ToDouble(constant.Value, CultureInfo.InvariantCulture);

    private static bool IsFinite(double value) => !double.IsNaN(value) && !double.IsInfinity(value);

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Format(float value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static ITypeSymbol Underlying(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

    private static bool IsNullable(ITypeSymbol type)
        => type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T || (type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated);

    private static bool IsInteger(ITypeSymbol type) => type.SpecialType is SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Int16
        or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32 or SpecialType.System_Int64 or SpecialType.System_UInt64;

    private static bool Fits(ITypeSymbol type, decimal value) => type.SpecialType switch
    {
        SpecialType.System_Byte => value is >= byte.MinValue and <= byte.MaxValue,
        SpecialType.System_SByte => value is >= sbyte.MinValue and <= sbyte.MaxValue,
        SpecialType.System_Int16 => value is >= short.MinValue and <= short.MaxValue,
        SpecialType.System_UInt16 => value is >= ushort.MinValue and <= ushort.MaxValue,
        SpecialType.System_Int32 => value is >= int.MinValue and <= int.MaxValue,
        SpecialType.System_UInt32 => value is >= uint.MinValue and <= uint.MaxValue,
        SpecialType.System_Int64 => value is >= long.MinValue and <= long.MaxValue,
        SpecialType.System_UInt64 => value is >= 0 and <= long.MaxValue,
        _ => false,
    };

    private void Report(SearchSpaceProblemKind kind, string detail, Location? location) => problems.Add(new SearchSpaceProblem(kind, detail, location));

    private sealed record Member(ISymbol Symbol, string Name, ITypeSymbol Type, HyperparameterSource Source, bool HasDefault, object? Default);
}
