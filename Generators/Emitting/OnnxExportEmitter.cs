using System.Linq;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Generators.Emitting;

/// <summary>
/// Writes the ONNX export half of an [OnnxExport] class: a public ExportOnnx method, and the forward method
/// translated statement by statement into graph-builder calls (an explicit IOnnxExportable implementation,
/// so a parent module's export can include this one).
/// </summary>
internal static class OnnxExportEmitter
{
    private const string Builder = "global::Volt.Export.OnnxGraphBuilder";
    private const string Value = "global::Volt.Export.OnnxValue";
    private const string Exportable = "global::Volt.Export.IOnnxExportable";

    /// <summary>Returns the source text of the generated file for <paramref name="model"/>.</summary>
    public static string Emit(OnnxExportModel model, string version)
    {
        var generatedCode = GeneratedFileFrame.GeneratedCodeAttribute(version);
        var writer = new SourceWriter();
        using (GeneratedFileFrame.Open(writer, model.Hierarchy, model.ClassName, [Exportable], "the forward method ([OnnxExport])"))
        {
            WriteExportMethod(writer, model, generatedCode);
            WriteAppendMethod(writer, model, generatedCode);
        }

        return writer.ToString();
    }

    private static void WriteExportMethod(SourceWriter writer, OnnxExportModel model, string generatedCode)
    {
        writer.WriteLines($"""
            /// <summary>
            /// Writes <see cref="forward"/> as an ONNX model (opset 17) with the current weights as
            /// initializers and eval-mode semantics: dropout is left out, batch normalization uses its running statistics.
            /// </summary>
            /// <param name="path">The .onnx file to write; it is replaced atomically.</param>
            /// <param name="inputShape">The shape of the input '{model.InputName}', batch size first (for example 1).</param>
            /// <param name="dynamicBatch">True: the model's batch dimension is symbolic, so it runs any batch size.</param>
            {generatedCode}
            """);
        using (writer.Block($"public void {OnnxExportParser.ExportMethodName}(string path, long[] inputShape, bool dynamicBatch = true)"))
        {
            var elementType = model.InputIsIndices ? "global::Volt.Export.OnnxElementType.Int64" : "global::Volt.Export.OnnxElementType.Float";
            writer.WriteLine($"var graph = new {Builder}({Literal(model.ClassName)});");
            writer.WriteLine($"var input = graph.Input({Literal(model.InputName.TrimStart('@'))}, inputShape, dynamicBatch, {elementType});");
            writer.WriteLine($"graph.Output((({Exportable})this).AppendOnnx(graph, \"\", input));");
            writer.WriteLine("graph.Save(path);");
        }

        writer.WriteLine();
    }

    private static void WriteAppendMethod(SourceWriter writer, OnnxExportModel model, string generatedCode)
    {
        writer.WriteLine("/// <summary>The forward method, translated into ONNX graph-builder calls.</summary>");
        writer.WriteLine(generatedCode);
        using (writer.Block($"{Value} {Exportable}.AppendOnnx({Builder} {ForwardTranslator.GraphParameter}, string {ForwardTranslator.ScopeParameter}, {Value} {model.InputName})"))
        {
            foreach (var statement in model.Statements)
            {
                var expression = Expression(statement.Expression);
                writer.WriteLine(statement.Kind switch
                {
                    OnnxStatementKind.Declare => $"var {statement.Name} = {expression};",
                    OnnxStatementKind.Assign => $"{statement.Name} = {expression};",
                    _ => $"return {expression};",
                });
            }
        }
    }

    private static string Expression(OnnxExpressionModel expression) => expression.Kind switch
    {
        OnnxExpressionKind.BuilderCall => $"{ForwardTranslator.GraphParameter}.{expression.Text}({string.Join(", ", expression.Arguments.Select(Expression))})",
        OnnxExpressionKind.ValueArray => $"new {Value}[] {{ {string.Join(", ", expression.Arguments.Select(Expression))} }}",
        OnnxExpressionKind.SizeArray => $"new long[] {{ {string.Join(", ", expression.Arguments.Select(Expression))} }}",
        _ => expression.Text,
    };

    private static string Literal(string text) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(text, quote: true);
}
