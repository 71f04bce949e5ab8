using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Volt.Generators.Model;
using static Volt.Generators.Model.OnnxExpressionModel;

namespace Volt.Generators.Parsing;

/// <summary>
/// Translates the expressions of a forward method into calls of Volt's runtime ONNX graph builder. It works on
/// the bound operation tree, so overloads, default arguments and constants are the compiler's, not guessed from
/// text. An expression without a translation is reported where it is, with the list of supported parts.
/// </summary>
internal sealed class ForwardTranslator
{
    /// <summary>The parts forward may be built from, as diagnostics list them.</summary>
    public const string Supported =
        "Supported: registered submodules of type Linear, Conv1d, Conv2d, BatchNorm1d, BatchNorm2d, LayerNorm, Dropout, Embedding, ReLU, GELU, Sigmoid, Tanh, Softmax, "
        + "LogSoftmax, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten, a Sequential of these (read from its initializer) or an [OnnxExport] module; "
        + "tensor operations flatten, reshape, view, permute, transpose, matmul, +, -, *, / (add, sub, mul, div) with tensors or constant numbers, cat, "
        + "relu, gelu, sigmoid, tanh, softmax, log_softmax, and mean or sum over constant dimensions.";

    /// <summary>The generated AppendOnnx method's parameters; user names that collide get a suffix.</summary>
    public const string GraphParameter = "graph";

    /// <summary>The prefix of parameter names inside the generated AppendOnnx method.</summary>
    public const string ScopeParameter = "scope";

    private const string Modules = "TorchSharp.Modules";

    /// <summary>TorchSharp layers and the builder call that writes each: (name, module, input), (module, input) or (input).</summary>
    private static readonly Dictionary<string, (string Method, ModuleArguments Arguments)> Layers = new()
    {
        ["Linear"] = ("Linear", ModuleArguments.NameModuleInput),
        ["Conv1d"] = ("Conv1d", ModuleArguments.NameModuleInput),
        ["Conv2d"] = ("Conv2d", ModuleArguments.NameModuleInput),
        ["BatchNorm1d"] = ("BatchNorm1d", ModuleArguments.NameModuleInput),
        ["BatchNorm2d"] = ("BatchNorm2d", ModuleArguments.NameModuleInput),
        ["LayerNorm"] = ("LayerNorm", ModuleArguments.NameModuleInput),
        ["Embedding"] = ("Embedding", ModuleArguments.NameModuleInput),
        ["Dropout"] = ("Dropout", ModuleArguments.Input),
        ["ReLU"] = ("Relu", ModuleArguments.Input),
        ["Sigmoid"] = ("Sigmoid", ModuleArguments.Input),
        ["Tanh"] = ("Tanh", ModuleArguments.Input),
        ["GELU"] = ("Gelu", ModuleArguments.ModuleInput),
        ["Softmax"] = ("Softmax", ModuleArguments.ModuleInput),
        ["LogSoftmax"] = ("LogSoftmax", ModuleArguments.ModuleInput),
        ["MaxPool2d"] = ("MaxPool2d", ModuleArguments.ModuleInput),
        ["AvgPool2d"] = ("AvgPool2d", ModuleArguments.ModuleInput),
        ["AdaptiveAvgPool2d"] = ("AdaptiveAvgPool2d", ModuleArguments.ModuleInput),
        ["Flatten"] = ("Flatten", ModuleArguments.ModuleInput),
    };

    private readonly Compilation compilation;
    private readonly INamedTypeSymbol type;
    private readonly IParameterSymbol input;
    private readonly INamedTypeSymbol tensor;
    private readonly List<OnnxExportProblem> problems;
    private readonly CancellationToken cancellationToken;
    private readonly HashSet<ILocalSymbol> locals = new(SymbolEqualityComparer.Default);

    public ForwardTranslator(Compilation compilation, INamedTypeSymbol type, IParameterSymbol input, INamedTypeSymbol tensor, List<OnnxExportProblem> problems, CancellationToken cancellationToken)
    {
        this.compilation = compilation;
        this.type = type;
        this.input = input;
        this.tensor = tensor;
        this.problems = problems;
        this.cancellationToken = cancellationToken;
    }

    private enum ModuleArguments
    {
        NameModuleInput,
        ModuleInput,
        Input,
    }

    /// <summary>The forward parameter's name in generated code.</summary>
    public string InputName => ValueName(input.Name);

    /// <summary>True once the input was seen feeding an embedding: the graph input holds int64 indices.</summary>
    public bool InputIsIndices { get; private set; }

    public bool IsTensorType(ITypeSymbol candidate) => SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, tensor);

    public bool IsTensorLocal(ILocalSymbol local) => locals.Contains(local);

    public void DeclareLocal(ILocalSymbol local) => locals.Add(local);

    public string LocalName(ILocalSymbol local) => ValueName(local.Name);

    /// <summary>Translates a tensor-valued expression; null (with a problem reported) when it has no translation.</summary>
    public OnnxExpressionModel? Translate(IOperation operation)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var op = Unwrap(operation);
        return op switch
        {
            IParameterReferenceOperation parameter when SymbolEqualityComparer.Default.Equals(parameter.Parameter, input) => Leaf(InputName),
            ILocalReferenceOperation local when locals.Contains(local.Local) => Leaf(LocalName(local.Local)),
            IInvocationOperation call => TranslateInvocation(call),
            IBinaryOperation binary when binary.OperatorMethod is { } method && IsTensorType(method.ContainingType) => TranslateBinary(binary),
            _ => Unsupported(op, "is not an operation the ONNX export knows"),
        };
    }

    private OnnxExpressionModel? TranslateInvocation(IInvocationOperation call)
    {
        var method = call.TargetMethod;
        if (method.Name is "forward" or "call" && call.Instance is { } module && !IsTensorType(module.Type!) && call.Arguments.Length == 1)
        {
            return TranslateModuleCall(call, module, call.Arguments[0].Value);
        }

        if (!method.IsStatic && IsTensorType(method.ContainingType) && call.Instance is { } receiver)
        {
            return TranslateTensorOperation(call, receiver, receiverParameter: null);
        }

        var container = method.ContainingType.ToDisplayString();
        if (method.IsStatic && container is "TorchSharp.torch" or "TorchSharp.torch.nn.functional" && call.Arguments.Length > 0)
        {
            if (method.Name is "cat" or "concat")
            {
                return TranslateConcat(call);
            }

            var first = call.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
            if (first?.Parameter is { } parameter && IsTensorType(parameter.Type))
            {
                return TranslateTensorOperation(call, first.Value, parameter);
            }
        }

        return Unsupported(call, $"calls '{method.ContainingType.Name}.{method.Name}', which the ONNX export does not translate");
    }

    /// <summary>A tensor method, or a torch / nn.functional function whose first parameter is the tensor.</summary>
    private OnnxExpressionModel? TranslateTensorOperation(IInvocationOperation call, IOperation receiver, IParameterSymbol? receiverParameter)
    {
        var name = call.TargetMethod.Name;
        if (name == "MoveToOuterDisposeScope")
        {
            return Translate(receiver);
        }

        var inPlace = name.EndsWith("_", System.StringComparison.Ordinal) || ConstantBool(Argument(call, "inplace")) == true;
        var operation = name.TrimEnd('_');
        if (inPlace && Unwrap(receiver) is ILocalReferenceOperation or IParameterReferenceOperation)
        {
            return Unsupported(call, $"changes the variable '{Unwrap(receiver).Syntax}' in place; the graph has no variables to change, so use the out-of-place '{operation}'");
        }

        var consumed = new HashSet<string>();
        if (receiverParameter is not null)
        {
            consumed.Add(receiverParameter.Name);
        }

        consumed.Add("inplace");
        var source = Translate(receiver);
        if (source is null)
        {
            return null;
        }

        OnnxExpressionModel? result = operation switch
        {
            "relu" or "sigmoid" or "tanh" => Call(Capitalize(operation), source),
            "gelu" => ConstantLong(Take(call, consumed, "approximate")) is 1 ? Call("Gelu", source, Leaf("true")) : Call("Gelu", source),
            "softmax" => Dimension(call, consumed, "dim") is { } softmaxDim ? Call("Softmax", source, softmaxDim) : null,
            "log_softmax" => Dimension(call, consumed, "dim") is { } logSoftmaxDim ? Call("LogSoftmax", source, logSoftmaxDim) : null,
            "flatten" => Dimension(call, consumed, "start_dim") is { } start && Dimension(call, consumed, "end_dim") is { } end ? Call("Flatten", source, start, end) : null,
            "reshape" or "view" => Shape(call, consumed, "shape", allowSizes: true) is { } shape ? Call("Reshape", source, shape) : null,
            "permute" => Shape(call, consumed, "permutation", allowSizes: false) is { } permutation ? Call("Permute", source, permutation) : null,
            "transpose" => Dimension(call, consumed, "dim0") is { } dim0 && Dimension(call, consumed, "dim1") is { } dim1 ? Call("Transpose", source, dim0, dim1) : null,
            "matmul" => TranslateOperand(call, consumed, source, "MatMul", tensorOnly: true),
            "add" or "sub" or "mul" or "div" => TranslateOperand(call, consumed, source, Capitalize(operation), tensorOnly: false),
            "mean" => Reduction(call, consumed, source, "Mean"),
            "sum" => Reduction(call, consumed, source, "Sum"),
            _ => Unsupported(call, $"calls '{name}', which the ONNX export does not translate"),
        };

        return result is not null && RestAreDefaults(call, consumed) ? result : null;
    }

    private OnnxExpressionModel? TranslateOperand(IInvocationOperation call, HashSet<string> consumed, OnnxExpressionModel source, string method, bool tensorOnly)
    {
        var operand = call.Arguments.FirstOrDefault(a => a.Parameter is { } p && !consumed.Contains(p.Name) && p.Name != "alpha" && a.ArgumentKind != ArgumentKind.DefaultValue);
        if (operand?.Parameter is null)
        {
            return Unsupported(call, "has no second operand the export can find");
        }

        consumed.Add(operand.Parameter.Name);
        var other = tensorOnly || IsTensorType(operand.Parameter.Type) ? Translate(operand.Value) : Number(operand.Value);
        return other is null ? null : Call(method, source, other);
    }

    private OnnxExpressionModel? TranslateBinary(IBinaryOperation binary)
    {
        var method = binary.OperatorKind switch
        {
            BinaryOperatorKind.Add => "Add",
            BinaryOperatorKind.Subtract => "Sub",
            BinaryOperatorKind.Multiply => "Mul",
            BinaryOperatorKind.Divide => "Div",
            _ => null,
        };
        if (method is null)
        {
            return Unsupported(binary, $"uses the operator '{binary.OperatorKind}'; the export translates +, -, * and /");
        }

        var parameters = binary.OperatorMethod!.Parameters;
        var left = IsTensorType(parameters[0].Type) ? Translate(binary.LeftOperand) : Number(binary.LeftOperand);
        var right = IsTensorType(parameters[1].Type) ? Translate(binary.RightOperand) : Number(binary.RightOperand);
        return left is null || right is null ? null : Call(method, left, right);
    }

    private OnnxExpressionModel? TranslateConcat(IInvocationOperation call)
    {
        var consumed = new HashSet<string> { "tensors" };
        var elements = Elements(Argument(call, "tensors"));
        if (elements is null)
        {
            return Unsupported(call, "joins tensors that are not written out as an array or collection expression");
        }

        var values = elements.Select(Translate).ToList();
        if (values.Any(v => v is null))
        {
            return null;
        }

        var dim = Dimension(call, consumed, "dim");
        return dim is not null && RestAreDefaults(call, consumed) ? Call("Concat", Array(values!), dim) : null;
    }

    private OnnxExpressionModel? Reduction(IInvocationOperation call, HashSet<string> consumed, OnnxExpressionModel source, string method)
    {
        var dims = new List<string>();
        foreach (var argument in call.Arguments.Where(a => a.Parameter is { } p && (p.Name.StartsWith("dim", System.StringComparison.Ordinal))))
        {
            consumed.Add(argument.Parameter!.Name);
            var values = ConstantLongs(argument.Value);
            if (values is null)
            {
                return Unsupported(argument.Value, $"gives {call.TargetMethod.Name} dimensions that are not constants");
            }

            dims.AddRange(values.Select(LongLiteral));
        }

        if (dims.Count == 0)
        {
            return Unsupported(call, $"reduces every dimension; the export translates {call.TargetMethod.Name} over named dimensions, e.g. x.{call.TargetMethod.Name}(new long[] {{ 1 }})");
        }

        var keepDim = Take(call, consumed, "keepdim");
        var keep = keepDim is null ? false : ConstantBool(keepDim);
        if (keep is null)
        {
            return Unsupported(keepDim!, "is not a constant keepdim");
        }

        return Call(method, source, Leaf(LongArray(dims)), Leaf(keep.Value ? "true" : "false"));
    }

    private OnnxExpressionModel? TranslateModuleCall(IInvocationOperation call, IOperation module, IOperation argument)
    {
        var member = Unwrap(module) switch
        {
            IFieldReferenceOperation { Instance: IInstanceReferenceOperation } field => (ISymbol)field.Field,
            IPropertyReferenceOperation { Instance: IInstanceReferenceOperation, Property.IsIndexer: false } property => property.Property,
            _ => null,
        };
        if (member is null)
        {
            return Unsupported(call, "calls a module that is not a field or property of this module");
        }

        var value = Translate(argument);
        if (value is null)
        {
            return null;
        }

        var memberType = member is IFieldSymbol f ? f.Type : ((IPropertySymbol)member).Type;
        if (Unwrap(argument) is IParameterReferenceOperation && memberType.Name == "Embedding")
        {
            InputIsIndices = true;
        }

        var name = Escape(member.Name);
        return Layer(call, memberType, member, "this." + name, member.Name, value);
    }

    /// <summary>The builder call for one layer; a Sequential becomes the chain of its children's calls.</summary>
    private OnnxExpressionModel? Layer(IOperation at, ITypeSymbol layerType, ISymbol? member, string moduleText, string path, OnnxExpressionModel value)
    {
        var isTorchSharpLayer = layerType.ContainingNamespace?.ToDisplayString() == Modules;
        if (isTorchSharpLayer && Layers.TryGetValue(layerType.Name, out var layer))
        {
            var nameText = Leaf(ScopeParameter + " + " + SymbolDisplay.FormatLiteral(path, quote: true));
            return layer.Arguments switch
            {
                ModuleArguments.NameModuleInput => Call(layer.Method, nameText, Leaf(moduleText), value),
                ModuleArguments.ModuleInput => Call(layer.Method, Leaf(moduleText), value),
                _ => Call(layer.Method, value),
            };
        }

        if (isTorchSharpLayer && layerType.Name == "Sequential")
        {
            return member is null ? Unsupported(at, "nests a Sequential inside a Sequential") : Sequential(at, member, moduleText, path, value);
        }

        if (IsGenericModule(layerType))
        {
            // Kept on purpose (docs/export.md): a hyperparameter-chosen network has no single concrete type. VOLT0063 says so at compile time.
            problems.Add(new OnnxExportProblem(
                OnnxExportProblemKind.RuntimeResolvedSubmodule,
                member?.Locations.FirstOrDefault(l => l.IsInSource) ?? at.Syntax.GetLocation(),
                $"'{path}' is declared as {layerType.ToDisplayString()}, so ExportOnnx resolves it at run time: it exports an instance whose class has [OnnxExport] and otherwise throws NotSupportedException naming '{path}' before writing anything. Declare the field with its concrete type to have this checked at compile time."));
        }

        if (ModuleParser.HasAttribute(layerType, OnnxExportParser.AttributeName) || IsGenericModule(layerType))
        {
            var nameText = Leaf(ScopeParameter + " + " + SymbolDisplay.FormatLiteral(path, quote: true));
            return Call("Submodule", nameText, Leaf(moduleText), value);
        }

        return Unsupported(at, $"runs '{path}', a {layerType.ToDisplayString()}, which the ONNX export does not translate (a module class of your own needs [OnnxExport])");
    }

    /// <summary>nn.Module&lt;Tensor, Tensor&gt; itself: the instance is chosen at run time, and the builder checks that it can be exported.</summary>
    private bool IsGenericModule(ITypeSymbol candidate)
        => candidate is INamedTypeSymbol { Name: "Module", Arity: 2 } named
           && named.ContainingType?.ToDisplayString() == "TorchSharp.torch.nn"
           && named.TypeArguments.All(IsTensorType);

    private OnnxExpressionModel? Sequential(IOperation at, ISymbol member, string moduleText, string path, OnnxExpressionModel value)
    {
        var creation = SequentialInitializer(member);
        if (creation is not IInvocationOperation { TargetMethod.Name: "Sequential" } sequential
            || sequential.Arguments.FirstOrDefault()?.Value is not IArrayCreationOperation { Initializer: { } children })
        {
            return Unsupported(at, $"runs the Sequential '{member.Name}', whose layers the generator cannot see: assign it once, from nn.Sequential(layer, ...) or nn.Sequential((\"name\", layer), ...), in its field initializer or the constructor");
        }

        var current = value;
        for (var i = 0; i < children.ElementValues.Length; i++)
        {
            var child = Unwrap(children.ElementValues[i]);
            var childName = i.ToString(CultureInfo.InvariantCulture);
            if (child is ITupleOperation { Elements.Length: 2 } tuple)
            {
                if (tuple.Elements[0].ConstantValue is not { HasValue: true, Value: string literal })
                {
                    return Unsupported(tuple.Elements[0], "names a Sequential layer with a value that is not a constant string");
                }

                childName = literal;
                child = Unwrap(tuple.Elements[1]);
            }

            var childType = child.Type!;
            var cast = IsGenericModule(childType) || ModuleParser.HasAttribute(childType, OnnxExportParser.AttributeName)
                ? "global::TorchSharp.torch.nn.Module"
                : childType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            var childText = $"(({cast}){moduleText}[{i.ToString(CultureInfo.InvariantCulture)}])";
            var next = Layer(child, childType, member: null, childText, path + "." + childName, current);
            if (next is null)
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    /// <summary>The one expression assigned to the member: its initializer, or its single assignment in a constructor.</summary>
    private IOperation? SequentialInitializer(ISymbol member)
    {
        foreach (var reference in member.DeclaringSyntaxReferences)
        {
            var initializer = reference.GetSyntax(cancellationToken) switch
            {
                VariableDeclaratorSyntax declarator => declarator.Initializer?.Value,
                PropertyDeclarationSyntax property => property.Initializer?.Value,
                _ => null,
            };
            if (initializer is not null)
            {
                return compilation.GetSemanticModel(initializer.SyntaxTree).GetOperation(initializer, cancellationToken);
            }
        }

        var assignments = new List<ExpressionSyntax>();
        foreach (var constructor in type.InstanceConstructors)
        {
            foreach (var reference in constructor.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax(cancellationToken);
                var model = compilation.GetSemanticModel(syntax.SyntaxTree);
                assignments.AddRange(syntax.DescendantNodes().OfType<AssignmentExpressionSyntax>()
                    .Where(a => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(a.Left, cancellationToken).Symbol, member))
                    .Select(a => a.Right));
            }
        }

        return assignments.Count == 1
            ? compilation.GetSemanticModel(assignments[0].SyntaxTree).GetOperation(assignments[0], cancellationToken)
            : null;
    }

    private OnnxExpressionModel? Dimension(IInvocationOperation call, HashSet<string> consumed, string parameter)
    {
        var argument = Take(call, consumed, parameter);
        if (argument is null)
        {
            return Unsupported(call, $"has no '{parameter}' argument the export can read");
        }

        return ConstantLong(argument) is { } dim ? Leaf(LongLiteral(dim)) : Unsupported(argument, $"is not a constant {parameter}");
    }

    /// <summary>A constant shape or permutation; a reshape's sizes may also be <c>t.size(i)</c> or <c>t.shape[i]</c> of a tensor variable.</summary>
    private OnnxExpressionModel? Shape(IInvocationOperation call, HashSet<string> consumed, string parameter, bool allowSizes)
    {
        var argument = Take(call, consumed, parameter);
        var elements = argument is null ? null : Elements(argument);
        if (elements is null)
        {
            return Unsupported(argument ?? call, $"gives the {parameter} as something other than sizes written out");
        }

        var sizes = new List<OnnxExpressionModel>();
        foreach (var element in elements)
        {
            if (ConstantLong(element) is { } size)
            {
                sizes.Add(Leaf(LongLiteral(size)));
            }
            else if (allowSizes && SizeOf(element) is var (of, dim))
            {
                var value = Translate(of);
                if (value is null)
                {
                    return null;
                }

                sizes.Add(Call("Size", value, Leaf(LongLiteral(dim))));
            }
            else
            {
                return Unsupported(element, allowSizes ? "is not a constant size or t.size(i) of a tensor variable" : "is not a constant dimension");
            }
        }

        return Sizes(sizes);
    }

    /// <summary>Reads <c>t.size(i)</c>, <c>t.shape[i]</c> with a constant i and a tensor variable t.</summary>
    private (IOperation Of, long Dim)? SizeOf(IOperation element)
    {
        var (of, index) = UnwrapAll(element) switch
        {
            IInvocationOperation { TargetMethod.Name: "size", Arguments.Length: 1 } size => (size.Instance, size.Arguments[0].Value),
            IArrayElementReferenceOperation { ArrayReference: IPropertyReferenceOperation { Property.Name: "shape" } shape, Indices.Length: 1 } item => (shape.Instance, item.Indices[0]),
            _ => (null, null),
        };
        return of is not null && index is not null && ConstantLong(index) is { } dim && Unwrap(of) is ILocalReferenceOperation or IParameterReferenceOperation && IsTensorType(of.Type!)
            ? (of, dim)
            : null;
    }

    /// <summary>A number operand: a constant, or a numeric field or property of this module (read when the graph is built).</summary>
    private OnnxExpressionModel? Number(IOperation operation)
    {
        var op = UnwrapAll(operation);
        if (op.ConstantValue is { HasValue: true, Value: { } value } && value is not string and not bool and not char)
        {
            var number = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
            return double.IsNaN(number) || double.IsInfinity(number)
                ? Unsupported(operation, "is not a finite number")
                : Leaf(number.ToString("R", CultureInfo.InvariantCulture) + "D");
        }

        if (op is IFieldReferenceOperation { Instance: IInstanceReferenceOperation or null } or IPropertyReferenceOperation { Instance: IInstanceReferenceOperation or null }
            && op.Type?.SpecialType is SpecialType.System_Double or SpecialType.System_Single or SpecialType.System_Int32 or SpecialType.System_Int64)
        {
            var member = op is IFieldReferenceOperation field ? (ISymbol)field.Field : ((IPropertyReferenceOperation)op).Property;
            return Leaf("(double)" + (member.IsStatic ? member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : "this") + "." + Escape(member.Name));
        }

        return Unsupported(operation, "is not a tensor, a constant number or a number field of this module");
    }

    private IOperation? Take(IInvocationOperation call, HashSet<string> consumed, string parameter)
    {
        consumed.Add(parameter);
        return Argument(call, parameter);
    }

    private static IOperation? Argument(IInvocationOperation call, string parameter)
        => call.Arguments.FirstOrDefault(a => a.Parameter?.Name == parameter)?.Value;

    /// <summary>Every argument the translation did not read must be left at its default (e.g. dtype: null).</summary>
    private bool RestAreDefaults(IInvocationOperation call, HashSet<string> consumed)
    {
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter is not { } parameter || consumed.Contains(parameter.Name) || argument.ArgumentKind == ArgumentKind.DefaultValue)
            {
                continue;
            }

            var value = UnwrapAll(argument.Value).ConstantValue;
            if (!parameter.HasExplicitDefaultValue || !value.HasValue || !Equals(value.Value, parameter.ExplicitDefaultValue))
            {
                Unsupported(argument, $"sets '{parameter.Name}' of '{call.TargetMethod.Name}', which the ONNX export does not translate");
                return false;
            }
        }

        return true;
    }

    private static List<IOperation>? Elements(IOperation? operation) => operation is null ? null : Unwrap(operation) switch
    {
        IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues.ToList(),
        ICollectionExpressionOperation collection => collection.Elements.ToList(),
        _ => null,
    };

    private static List<long>? ConstantLongs(IOperation operation)
    {
        if (ConstantLong(operation) is { } single)
        {
            return [single];
        }

        var elements = Elements(operation);
        var values = elements?.Select(ConstantLong).ToList();
        return values is null || values.Any(v => v is null) ? null : values.Select(v => v!.Value).ToList();
    }

    private static long? ConstantLong(IOperation? operation)
        => operation is not null && UnwrapAll(operation).ConstantValue is { HasValue: true, Value: { } value } && value is int or long or short or sbyte or byte or uint
            ? System.Convert.ToInt64(value, CultureInfo.InvariantCulture)
            : null;

    private static bool? ConstantBool(IOperation? operation)
        => operation is not null && UnwrapAll(operation).ConstantValue is { HasValue: true, Value: bool value } ? value : null;

    /// <summary>Drops implicit built-in conversions (not user-defined ones such as double to Scalar).</summary>
    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true, OperatorMethod: null } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    /// <summary>Drops every conversion, for reading constants (a number converted to Scalar, an int to long).</summary>
    private static IOperation UnwrapAll(IOperation operation)
    {
        while (operation is IConversionOperation conversion && !operation.ConstantValue.HasValue)
        {
            operation = conversion.Operand;
        }

        return operation;
    }

    private OnnxExpressionModel? Unsupported(IOperation at, string why)
    {
        problems.Add(new OnnxExportProblem(
            OnnxExportProblemKind.UnsupportedExpression,
            at.Syntax.GetLocation(),
            $"'{Shorten(at.Syntax.ToString())}' in forward cannot be exported to ONNX: it {why}. {Supported}"));
        return null;
    }

    /// <summary>The first line of a piece of code, at most 80 characters, for messages.</summary>
    public static string Shorten(string code)
    {
        var line = code.Split('\n')[0].Trim();
        return line.Length <= 80 ? line : line.Substring(0, 77) + "...";
    }

    private static string ValueName(string name)
        => name is GraphParameter or ScopeParameter ? name + "Value" : Escape(name);

    private static string Escape(string name)
        => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static string Capitalize(string name) => char.ToUpperInvariant(name[0]) + name.Substring(1);

    private static string LongLiteral(long value) => value.ToString(CultureInfo.InvariantCulture) + "L";

    private static string LongArray(IEnumerable<string> elements) => "new long[] { " + string.Join(", ", elements) + " }";
}
