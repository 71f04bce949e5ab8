namespace Volt.Generators.Model;

/// <summary>Everything the ONNX export emitter needs for one [OnnxExport] class: its forward method translated into graph-builder calls.</summary>
/// <param name="Hierarchy">Namespace, containing types and hint name of the generated file.</param>
/// <param name="ClassName">The class name (the graph's name).</param>
/// <param name="InputName">The forward method's parameter name (the graph input's name).</param>
/// <param name="InputIsIndices">True when the input feeds an embedding directly, so the graph input holds int64 indices.</param>
/// <param name="Statements">The translated statements of forward, in order; the last one returns.</param>
internal sealed record OnnxExportModel(
    HierarchyInfo Hierarchy,
    string ClassName,
    string InputName,
    bool InputIsIndices,
    EquatableArray<OnnxStatementModel> Statements);

/// <summary>What a translated statement does.</summary>
internal enum OnnxStatementKind
{
    /// <summary><c>var Name = Expression;</c></summary>
    Declare,

    /// <summary><c>Name = Expression;</c></summary>
    Assign,

    /// <summary><c>return Expression;</c></summary>
    Return,
}

/// <summary>One statement of forward, with tensors replaced by graph values.</summary>
internal sealed record OnnxStatementModel(OnnxStatementKind Kind, string Name, OnnxExpressionModel Expression);

/// <summary>The shapes of <see cref="OnnxExpressionModel"/>.</summary>
internal enum OnnxExpressionKind
{
    /// <summary>C# text as is: a value's name, a literal, a module reference.</summary>
    Text,

    /// <summary>A call of the graph builder method named by the text, with the arguments.</summary>
    BuilderCall,

    /// <summary>An array of graph values (the arguments).</summary>
    ValueArray,

    /// <summary>An array of sizes (the arguments: literals, or builder calls that read a size).</summary>
    SizeArray,
}

/// <summary>A translated expression: a tree of graph-builder calls whose leaves are C# text.</summary>
internal sealed record OnnxExpressionModel(OnnxExpressionKind Kind, string Text, EquatableArray<OnnxExpressionModel> Arguments)
{
    public static OnnxExpressionModel Leaf(string text) => new(OnnxExpressionKind.Text, text, EquatableArray<OnnxExpressionModel>.Empty);

    public static OnnxExpressionModel Call(string method, params OnnxExpressionModel[] arguments) => new(OnnxExpressionKind.BuilderCall, method, arguments.ToEquatableArray());

    public static OnnxExpressionModel Array(System.Collections.Generic.IEnumerable<OnnxExpressionModel> elements) => new(OnnxExpressionKind.ValueArray, string.Empty, elements.ToEquatableArray());

    public static OnnxExpressionModel Sizes(System.Collections.Generic.IEnumerable<OnnxExpressionModel> elements) => new(OnnxExpressionKind.SizeArray, string.Empty, elements.ToEquatableArray());
}
