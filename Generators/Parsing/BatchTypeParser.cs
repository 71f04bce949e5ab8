using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Decides how the generated transfer moves each step's batch to the device: a Tensor, a record or
/// struct rebuilt with <c>with</c>, or a class rebuilt with an object initializer, and which of its
/// members hold tensors. A batch with tensors the transfer cannot reach is rejected, naming the member.
/// </summary>
internal sealed class BatchTypeParser(INamedTypeSymbol type, Compilation compilation, TorchSymbols torch, List<ModuleProblem> problems)
{
    private readonly List<BatchTypeModel> batchTypes = [];

    /// <summary>The distinct batch types of the module's steps, in the order the steps were parsed.</summary>
    public IReadOnlyList<BatchTypeModel> BatchTypes => batchTypes;

    /// <summary>Parses the batch type of the step <paramref name="stepName"/>; null (with a problem reported) when it is not supported.</summary>
    public BatchTypeModel? Parse(ITypeSymbol batchType, string stepName)
    {
        var model = Build(batchType.WithNullableAnnotation(NullableAnnotation.NotAnnotated), stepName);
        if (model is null)
        {
            return null;
        }

        // Tuples that differ only in element names are the same type: one transfer overload serves both.
        var existing = batchTypes.FirstOrDefault(b => b.FullyQualifiedName == model.FullyQualifiedName);
        if (existing is not null)
        {
            return existing;
        }

        batchTypes.Add(model);
        return model;
    }

    /// <summary>The accessible tensor members of a predict step's output type (tuple elements or properties and fields).</summary>
    public IEnumerable<ISymbol> TensorMembers(ITypeSymbol owner)
    {
        if (owner is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            return tuple.TupleElements.Where(e => torch.IsTensor(e.Type)).Select(e => (ISymbol)e.CorrespondingTupleField!).ToList();
        }

        return InstanceDataMembers(owner).Where(m => torch.IsTensor(m is IPropertySymbol p ? p.Type : ((IFieldSymbol)m).Type) && compilation.IsSymbolAccessibleWithin(m, type));
    }

    private BatchTypeModel? Build(ITypeSymbol batchType, string stepName)
    {
        if (torch.IsTensor(batchType))
        {
            return new BatchTypeModel(batchType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), BatchKind.Tensor, EquatableArray<BatchMemberModel>.Empty, string.Empty);
        }

        BatchTypeModel? Unsupported(string why)
        {
            var name = batchType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);
            problems.Report(ModuleProblemKind.UnsupportedBatchType, name, name, stepName, why);
            return null;
        }

        if (batchType is not INamedTypeSymbol named || batchType.TypeKind is TypeKind.Interface or TypeKind.Delegate or TypeKind.Enum || batchType.SpecialType != SpecialType.None)
        {
            return Unsupported("is not supported");
        }

        if (named.IsTupleType)
        {
            var elements = named.TupleElements;
            if (elements.Length > 7)
            {
                return Unsupported($"has {elements.Length} elements");
            }

            var tupleMembers = new List<BatchMemberModel>();
            for (var i = 0; i < elements.Length; i++)
            {
                var element = new BatchMemberModel("Item" + (i + 1), false, elements[i].Type.NullableAnnotation == NullableAnnotation.Annotated);
                var classified = ClassifyMember(element, elements[i].Type, out var why);
                if (why is not null)
                {
                    return Unsupported($"has the element '{elements[i].Name}' of type '{elements[i].Type.ToDisplayString()}', {why}");
                }

                if (classified.IsTensor)
                {
                    tupleMembers.Add(classified);
                }
            }

            var underlying = named.TupleUnderlyingType ?? named;
            return new BatchTypeModel(underlying.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), BatchKind.WithExpression, tupleMembers.ToEquatableArray(), FirstSizeMember(tupleMembers), FirstSizeCollection(tupleMembers));
        }

        var members = new List<BatchMemberModel>();
        var useWith = named.IsRecord || named.IsValueType;
        foreach (var member in InstanceDataMembers(named))
        {
            if (IsComputed(member))
            {
                continue; // computed from other members (Tensor Both => ...): nothing to move
            }

            var memberType = member is IPropertySymbol p ? p.Type : ((IFieldSymbol)member).Type;
            var classified = ClassifyMember(new BatchMemberModel(SymbolExtensions.Escape(member.Name), false, memberType.NullableAnnotation == NullableAnnotation.Annotated), memberType, out var why);
            if (why is not null)
            {
                return Unsupported($"has the member '{member.Name}' of type '{memberType.ToDisplayString()}', {why}");
            }

            var isTensor = classified.IsTensor;
            var settable = IsSettable(member);
            if (!compilation.IsSymbolAccessibleWithin(member, type))
            {
                if (isTensor)
                {
                    return Unsupported($"has the tensor member '{member.Name}' that the module cannot access");
                }

                continue;
            }

            if (isTensor && !settable)
            {
                return Unsupported($"has the read-only tensor member '{member.Name}', which cannot be replaced by its copy on the device");
            }

            if (!isTensor && (useWith || !settable))
            {
                continue;
            }

            members.Add(classified);
        }

        if (!useWith && !named.InstanceConstructors.Any(c => c.Parameters.Length == 0 && compilation.IsSymbolAccessibleWithin(c, type)))
        {
            return Unsupported("is a class without an accessible parameterless constructor");
        }

        var tensors = members.Where(m => m.IsTensor).ToList();
        return new BatchTypeModel(named.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), useWith ? BatchKind.WithExpression : BatchKind.ObjectInitializer, members.ToEquatableArray(), FirstSizeMember(tensors), FirstSizeCollection(tensors));
    }

    /// <summary>
    /// Says how a member holds tensors: directly, in a collection the runtime moves (Tensor[],
    /// List&lt;Tensor&gt;, Dictionary&lt;TKey, Tensor&gt;), or not at all. Tensors anywhere else
    /// (nested records or tuples, other collections) would be left on the wrong device, so
    /// <paramref name="why"/> explains that and the batch is rejected.
    /// </summary>
    private BatchMemberModel ClassifyMember(BatchMemberModel member, ITypeSymbol memberType, out string? why)
    {
        why = null;
        if (torch.IsTensor(memberType))
        {
            return member with { IsTensor = true };
        }

        var collection = memberType switch
        {
            IArrayTypeSymbol { Rank: 1 } array when torch.IsTensor(array.ElementType) => TensorCollection.Array,
            INamedTypeSymbol { Arity: 1 } list when list.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>" && torch.IsTensor(list.TypeArguments[0]) => TensorCollection.List,
            INamedTypeSymbol { Arity: 2 } map when map.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.Dictionary<TKey, TValue>" && torch.IsTensor(map.TypeArguments[1]) => TensorCollection.Dictionary,
            _ => TensorCollection.None,
        };
        if (collection != TensorCollection.None)
        {
            return member with { IsTensor = true, Collection = collection };
        }

        if (ContainsTensor(memberType, depth: 0))
        {
            why = "whose tensors the generated transfer cannot move to the device; put batch tensors in Tensor members, Tensor[], List<Tensor> or Dictionary<TKey, Tensor> (flatten nested records and tuples into the batch)";
        }

        return member;
    }

    /// <summary>True when a tensor is somewhere inside <paramref name="candidate"/>: an element, a type argument, or a member of a nested type.</summary>
    private bool ContainsTensor(ITypeSymbol candidate, int depth)
    {
        if (torch.IsTensor(candidate))
        {
            return true;
        }

        if (depth > 3 || candidate.SpecialType != SpecialType.None)
        {
            return false;
        }

        return candidate switch
        {
            IArrayTypeSymbol array => ContainsTensor(array.ElementType, depth + 1),
            INamedTypeSymbol { IsTupleType: true } tuple => tuple.TupleElements.Any(e => ContainsTensor(e.Type, depth + 1)),
            INamedTypeSymbol named when named.TypeArguments.Any(t => ContainsTensor(t, depth + 1)) => true,
            INamedTypeSymbol { TypeKind: TypeKind.Class or TypeKind.Struct } named when named.ContainingNamespace?.ToDisplayString().StartsWith("System", System.StringComparison.Ordinal) != true
                && !TorchSymbols.DerivesFrom(named, torch.Module)
                => InstanceDataMembers(named).Any(m => !IsComputed(m) && ContainsTensor(m is IPropertySymbol p ? p.Type : ((IFieldSymbol)m).Type, depth + 1)),
            _ => false,
        };
    }

    /// <summary>A get-only property without a backing field, declared in source (<c>Tensor Both => A + B;</c>).</summary>
    private static bool IsComputed(ISymbol member)
        => member is IPropertySymbol { SetMethod: null } property
           && property.DeclaringSyntaxReferences.Length > 0
           && !property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    private static string? FirstSizeCollection(IEnumerable<BatchMemberModel> members)
        => members.Any(m => m.IsTensor && m.Collection == TensorCollection.None)
            ? null
            : members.FirstOrDefault(m => m.Collection != TensorCollection.None)?.Name;

    private static string? FirstSizeMember(IEnumerable<BatchMemberModel> members)
        => members.FirstOrDefault(m => m.IsTensor && m.Collection == TensorCollection.None && !m.IsNullable)?.Name;

    private static IEnumerable<ISymbol> InstanceDataMembers(ITypeSymbol owner)
    {
        var seen = new HashSet<string>();
        for (var current = owner; current is not null && current.SpecialType != SpecialType.System_Object && current.SpecialType != SpecialType.System_ValueType; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member.IsStatic || member.IsImplicitlyDeclared || !seen.Add(member.Name))
                {
                    continue;
                }

                if (member is IPropertySymbol { IsIndexer: false, Name: not "EqualityContract" } or IFieldSymbol { AssociatedSymbol: null })
                {
                    yield return member;
                }
            }
        }
    }

    private static bool IsSettable(ISymbol member) => member switch
    {
        IPropertySymbol property => property.SetMethod is not null,
        IFieldSymbol field => !field.IsReadOnly && !field.IsConst,
        _ => false,
    };
}
