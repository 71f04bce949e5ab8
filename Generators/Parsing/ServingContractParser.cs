using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Volt.Generators.Model;

namespace Volt.Generators.Parsing;

/// <summary>
/// Turns a [Serve] class into a <see cref="ServingContractModel"/>: finds its [PredictStep], maps the batch
/// type's members to JSON fields (tensors with their [ExampleShape], numbers, booleans, strings) and the
/// step's output to tensor fields. Any problem means no model, so no contract; the analyzer reports the same
/// problems (VOLT0061 for the class, VOLT0062 for a member).
/// </summary>
internal sealed class ServingContractParser
{
    /// <summary>The metadata name of the attribute that asks for the contract.</summary>
    public const string AttributeName = "Volt.Serving.ServeAttribute";

    /// <summary>The metadata name of the attribute that declares a batch tensor's example shape.</summary>
    public const string ExampleShapeAttributeName = "Volt.Serving.ExampleShapeAttribute";

    /// <summary>The generated request record.</summary>
    public const string RequestName = "PredictRequest";

    /// <summary>The generated response record.</summary>
    public const string ResponseName = "PredictResponse";

    /// <summary>The generated endpoint class.</summary>
    public const string EndpointName = "PredictEndpoint";

    /// <summary>The member name of a batch that is a Tensor, and of an output that is a Tensor.</summary>
    public const string TensorBatchMember = "Inputs";

    /// <inheritdoc cref="TensorBatchMember"/>
    public const string TensorOutputMember = "Outputs";

    private const string Scalars = "a Tensor (with [ExampleShape]), int, long, float, double, bool or string";
    private static readonly string[] RequestDTypes = ["Float32", "Float64", "Int32", "Int64"];

    private readonly Compilation compilation;
    private readonly INamedTypeSymbol type;
    private readonly CancellationToken cancellationToken;
    private readonly List<ServingContractProblem> problems = [];
    private INamedTypeSymbol tensor = null!;

    private ServingContractParser(Compilation compilation, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        this.compilation = compilation;
        this.type = type;
        this.cancellationToken = cancellationToken;
    }

    /// <summary>Parses <paramref name="type"/>; returns the model, or null with <paramref name="problems"/> filled.</summary>
    public static ServingContractModel? Parse(Compilation compilation, INamedTypeSymbol type, out IReadOnlyList<ServingContractProblem> problems, CancellationToken cancellationToken)
    {
        var parser = new ServingContractParser(compilation, type, cancellationToken);
        var model = parser.Parse();
        problems = parser.problems;
        return parser.problems.Count == 0 ? model : null;
    }

    private ServingContractModel? Parse()
    {
        if (compilation.GetTypeByMetadataName(WellKnownNames.Tensor) is not { } tensorType)
        {
            ReportClass("TorchSharp is not referenced; [Serve] belongs on a Volt module with a [PredictStep].");
            return null;
        }

        tensor = tensorType;
        var hierarchy = PartialClassHierarchy.Parse(type, ".Serving", "[Serve]", "its PredictRequest, PredictResponse and endpoint", ReportClass, cancellationToken);
        foreach (var name in new[] { RequestName, ResponseName, EndpointName })
        {
            if (type.GetMembers(name).Any(UserCode.IsUserDeclared))
            {
                ReportClass($"'{type.Name}' declares '{name}', which [Serve] generates; rename the member.");
            }
        }

        var step = type.GetMembers().OfType<IMethodSymbol>().FirstOrDefault(m => ModuleParser.HasAttribute(m, WellKnownNames.PredictStepAttribute));
        if (step is null)
        {
            ReportClass($"'{type.Name}' has [Serve] but no [PredictStep]; the server runs the predict step, so add one, e.g. [PredictStep] Tensor Predict(ImageInput batch) => forward(batch.Images);");
            return null;
        }

        if (hierarchy is null || step.ReturnsVoid || step.Parameters.Length is < 1 or > 2)
        {
            // A malformed [PredictStep] is reported by the module's own rules (VOLT0004).
            return null;
        }

        var shapes = ParseExampleShapes();
        var (batchKind, request) = ParseBatch(step.Parameters[0].Type, shapes);
        var outputIsTensor = IsTensor(step.ReturnType);
        var response = ParseOutput(step.ReturnType, step);
        // Only once the batch parsed: a batch that failed already has its own problem.
        foreach (var unused in shapes.Keys.Where(name => request is not null && request.All(m => m.Name.TrimStart('@') != name)))
        {
            Report(shapes[unused].Location, $"[ExampleShape(\"{unused}\", ...)] names no tensor of the [PredictStep] batch '{Display(step.Parameters[0].Type)}'.");
        }

        if (request is null || response is null || problems.Count > 0)
        {
            return null;
        }

        return new ServingContractModel(
            hierarchy,
            type.Name,
            PartialClassHierarchy.DeclarationName(type),
            SymbolExtensions.Escape(step.Name),
            step.Parameters.Length == 2,
            step.Parameters[0].Type.WithNullableAnnotation(NullableAnnotation.NotAnnotated).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            batchKind,
            request.ToEquatableArray(),
            step.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            outputIsTensor,
            response.ToEquatableArray());
    }

    private Dictionary<string, (EquatableArray<long> Shape, string DType, Location Location)> ParseExampleShapes()
    {
        var shapes = new Dictionary<string, (EquatableArray<long>, string, Location)>();
        foreach (var attribute in type.GetAttributes().Where(a => a.AttributeClass?.ToDisplayString() == ExampleShapeAttributeName))
        {
            var location = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? Location.None;
            if (attribute.ConstructorArguments.Length != 2 || attribute.ConstructorArguments[0].Value is not string member)
            {
                continue;
            }

            var dims = attribute.ConstructorArguments[1].Values.Select(v => System.Convert.ToInt64(v.Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            var dtype = "Float32";
            foreach (var named in attribute.NamedArguments.Where(a => a.Key == "DType"))
            {
                dtype = named.Value.Type is INamedTypeSymbol enumType
                    ? enumType.GetMembers().OfType<IFieldSymbol>().FirstOrDefault(f => f.HasConstantValue && Equals(f.ConstantValue, named.Value.Value))?.Name ?? "?"
                    : "?";
            }

            if (dims.Any(d => d < 1))
            {
                Report(location, $"[ExampleShape(\"{member}\", {string.Join(", ", dims)})] has a dimension below 1; give the size of every dimension of one example, without the batch dimension.");
            }
            else if (!RequestDTypes.Contains(dtype))
            {
                Report(location, $"[ExampleShape(\"{member}\", ...)] has DType {dtype}; a served request tensor is Float32, Float64, Int32 or Int64.");
            }
            else if (shapes.ContainsKey(member))
            {
                Report(location, $"[ExampleShape(\"{member}\", ...)] appears twice.");
            }
            else
            {
                shapes[member] = (dims.ToEquatableArray(), dtype, location);
            }
        }

        return shapes;
    }

    private (ServedBatchKind Kind, List<ServedMemberModel>? Members) ParseBatch(ITypeSymbol batch, Dictionary<string, (EquatableArray<long> Shape, string DType, Location Location)> shapes)
    {
        if (IsTensor(batch))
        {
            var member = TensorMember(TensorBatchMember, shapes, batch);
            return (ServedBatchKind.Tensor, member is null ? null : [member]);
        }

        if (batch is not INamedTypeSymbol named || named.IsTupleType || named.IsAbstract || batch.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            ReportClass($"The [PredictStep] batch '{Display(batch)}' cannot be served as JSON: a tuple has no field names and an interface or abstract class cannot be created. Use a Tensor, a record or a class of {Scalars} members.");
            return (ServedBatchKind.Constructor, null);
        }

        var readable = named.GetMembers().Where(m => !m.IsStatic && m.DeclaredAccessibility == Accessibility.Public && m is IPropertySymbol { IsIndexer: false } or IFieldSymbol { IsImplicitlyDeclared: false }).ToList();
        var constructor = named.InstanceConstructors
            .Where(c => c.DeclaredAccessibility == Accessibility.Public && c.Parameters.Length > 0)
            .OrderByDescending(c => c.Parameters.Length)
            .FirstOrDefault(c => c.Parameters.All(p => readable.Any(m => string.Equals(m.Name, p.Name, System.StringComparison.OrdinalIgnoreCase) && SymbolEqualityComparer.Default.Equals(MemberType(m), p.Type))));
        List<(string Name, ITypeSymbol Type)> members;
        ServedBatchKind kind;
        if (constructor is not null)
        {
            kind = ServedBatchKind.Constructor;
            members = constructor.Parameters.Select(p => (readable.First(m => string.Equals(m.Name, p.Name, System.StringComparison.OrdinalIgnoreCase)).Name, p.Type)).ToList();
        }
        else if (named.InstanceConstructors.Any(c => c.DeclaredAccessibility == Accessibility.Public && c.Parameters.Length == 0))
        {
            kind = ServedBatchKind.Initializer;
            members = readable.Where(m => m is IPropertySymbol { SetMethod.DeclaredAccessibility: Accessibility.Public } or IFieldSymbol { IsReadOnly: false, IsConst: false })
                .Select(m => (m.Name, MemberType(m))).ToList();
        }
        else
        {
            ReportClass($"The [PredictStep] batch '{Display(batch)}' cannot be created from a request: give it a public constructor whose parameters are its members (a positional record), or a parameterless one with settable members.");
            return (ServedBatchKind.Constructor, null);
        }

        var served = new List<ServedMemberModel>();
        foreach (var (name, memberType) in members)
        {
            if (IsTensor(memberType))
            {
                if (TensorMember(name, shapes, batch) is { } tensorMember)
                {
                    served.Add(tensorMember);
                }

                continue;
            }

            if (ScalarKind(memberType) is { } scalar)
            {
                served.Add(new ServedMemberModel(SymbolExtensions.Escape(name), JsonName(name), scalar, memberType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), EquatableArray<long>.Empty, string.Empty));
                continue;
            }

            ReportMember(batch, name, $"The member '{name}' of the [PredictStep] batch '{Display(batch)}' is a {Display(memberType)}, which has no JSON form in the request; a served batch member is {Scalars}.");
        }

        if (served.Count > 0 && served.All(m => m.Kind != ServedValueKind.Tensor) && members.All(m => !IsTensor(m.Type)))
        {
            ReportClass($"The [PredictStep] batch '{Display(batch)}' has no Tensor member; the server needs one to carry the examples.");
        }

        return (kind, served.Count == members.Count ? served : null);
    }

    private ServedMemberModel? TensorMember(string name, Dictionary<string, (EquatableArray<long> Shape, string DType, Location Location)> shapes, ITypeSymbol batch)
    {
        if (!shapes.TryGetValue(name, out var shape))
        {
            ReportMember(batch, name, $"The tensor '{name}' of the [PredictStep] batch '{Display(batch)}' has no declared shape; add [ExampleShape(\"{name}\", ...)] to '{type.Name}' with the shape of one example, without the batch dimension.");
            return null;
        }

        return new ServedMemberModel(SymbolExtensions.Escape(name), JsonName(name), ServedValueKind.Tensor, "global::Volt.Serving.TensorRows", shape.Shape, shape.DType);
    }

    private List<ServedMemberModel>? ParseOutput(ITypeSymbol output, IMethodSymbol step)
    {
        if (IsTensor(output))
        {
            return output.NullableAnnotation == NullableAnnotation.Annotated
                ? ReportOutput(step, $"[PredictStep] '{step.Name}' returns a nullable Tensor; the server answers every request, so return a Tensor.")
                : [TensorResponse(TensorOutputMember)];
        }

        List<(string Name, ITypeSymbol Type)> members;
        if (output is INamedTypeSymbol { IsTupleType: true } tuple)
        {
            members = tuple.TupleElements.Select(e => (e.Name, e.Type)).ToList();
        }
        else if (output.TypeKind is TypeKind.Class or TypeKind.Struct && output.SpecialType == SpecialType.None)
        {
            members = output.GetMembers()
                .Where(m => !m.IsStatic && !m.IsImplicitlyDeclared && m.DeclaredAccessibility == Accessibility.Public && m is IPropertySymbol { IsIndexer: false, GetMethod: not null } or IFieldSymbol)
                .Select(m => (m.Name, MemberType(m))).ToList();
        }
        else
        {
            return ReportOutput(step, $"[PredictStep] '{step.Name}' returns '{Display(output)}'; the server answers a Tensor, a tuple of tensors or a record of tensors.");
        }

        var bad = members.Where(m => !IsTensor(m.Type) || m.Type.NullableAnnotation == NullableAnnotation.Annotated).ToList();
        foreach (var (name, memberType) in bad)
        {
            ReportOutput(step, $"The member '{name}' of '{Display(output)}', which [PredictStep] '{step.Name}' returns, is a {Display(memberType)}; the response holds tensors only (one row per example).");
        }

        if (members.Count == 0)
        {
            return ReportOutput(step, $"'{Display(output)}', which [PredictStep] '{step.Name}' returns, has no public tensors to answer with.");
        }

        return bad.Count == 0 ? members.Select(m => TensorResponse(m.Name)).ToList() : null;
    }

    private static ServedMemberModel TensorResponse(string name)
        => new(SymbolExtensions.Escape(name), JsonName(name), ServedValueKind.Tensor, "global::Volt.Serving.TensorRows", EquatableArray<long>.Empty, string.Empty);

    private static ServedValueKind? ScalarKind(ITypeSymbol candidate) => candidate.SpecialType switch
    {
        SpecialType.System_Double => ServedValueKind.Double,
        SpecialType.System_Single => ServedValueKind.Single,
        SpecialType.System_Int32 => ServedValueKind.Int32,
        SpecialType.System_Int64 => ServedValueKind.Int64,
        SpecialType.System_Boolean => ServedValueKind.Boolean,
        SpecialType.System_String when candidate.NullableAnnotation != NullableAnnotation.Annotated => ServedValueKind.String,
        _ => null,
    };

    /// <summary>The JSON field for a member: its name with the first letter in lower case (<c>Images</c> is <c>images</c>).</summary>
    internal static string JsonName(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);

    private bool IsTensor(ITypeSymbol candidate) => SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, tensor);

    private static ITypeSymbol MemberType(ISymbol member) => member is IPropertySymbol property ? property.Type : ((IFieldSymbol)member).Type;

    private static string Display(ITypeSymbol symbol) => symbol.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat);

    private void ReportClass(string detail)
        => problems.Add(new ServingContractProblem(ServingContractProblemKind.UnsupportedClass, type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None, detail));

    private void ReportMember(ITypeSymbol batch, string member, string detail)
    {
        var location = batch.GetMembers(member).SelectMany(m => m.Locations).FirstOrDefault(l => l.IsInSource)
            ?? type.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None;
        Report(location, detail);
    }

    private List<ServedMemberModel>? ReportOutput(IMethodSymbol step, string detail)
    {
        Report(step.Locations.FirstOrDefault(l => l.IsInSource) ?? Location.None, detail);
        return null;
    }

    private void Report(Location location, string detail)
        => problems.Add(new ServingContractProblem(ServingContractProblemKind.UnsupportedMember, location, detail));
}

/// <summary>A reason a [Serve] class gets no contract, at the code it is about. Not a pipeline model: it holds a location.</summary>
internal sealed record ServingContractProblem(ServingContractProblemKind Kind, Location Location, string Detail);

/// <summary>The kinds of <see cref="ServingContractProblem"/>; each has its own diagnostic.</summary>
internal enum ServingContractProblemKind
{
    /// <summary>VOLT0061: the class cannot get a contract (no [PredictStep], not partial, a generated name taken, batch type unusable).</summary>
    UnsupportedClass,

    /// <summary>VOLT0062: a batch or output member has no JSON form, or an [ExampleShape] is missing or wrong.</summary>
    UnsupportedMember,
}
