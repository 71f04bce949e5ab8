using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Volt.Generators.Model;
using Volt.Generators.Parsing;

namespace Volt.Generators.Emitting;

/// <summary>
/// Writes the HTTP contract of a [Serve] module: the PredictRequest record (the [PredictStep] batch with its
/// tensors as host arrays), the PredictResponse record (the step's output likewise), and the PredictEndpoint
/// that reads a request with Utf8JsonReader, stacks requests, runs the step and writes the answer.
/// </summary>
internal static class ServingContractEmitter
{
    private const string Rows = "global::Volt.Serving.TensorRows";
    private const string Reader = "global::Volt.Serving.ServingJsonReader";
    private const string ScalarType = "global::TorchSharp.torch.ScalarType";

    /// <summary>Returns the source text of the generated file for <paramref name="model"/>.</summary>
    public static string Emit(ServingContractModel model, string version)
    {
        var generatedCode = $"[global::System.CodeDom.Compiler.GeneratedCode(\"Volt.Generators\", \"{version}\")]";
        var writer = new SourceWriter();
        using (GeneratedFileFrame.Open(writer, model.Hierarchy, model.ClassName, ["global::Volt.Serving.IServableModule"], "the [Serve] attribute and the [PredictStep]"))
        {
            WriteRecords(writer, model, generatedCode);
            writer.WriteLine(generatedCode);
            writer.WriteLine($"global::Volt.Serving.ServingEndpoint global::Volt.Serving.IServableModule.CreateServingEndpoint() => new {ServingContractParser.EndpointName}(this);");
            writer.WriteLine();
            WriteEndpoint(writer, model, generatedCode);
        }

        return writer.ToString();
    }

    private static void WriteRecords(SourceWriter writer, ServingContractModel model, string generatedCode)
    {
        writer.WriteLines($"""
            /// <summary>
            /// The body of <c>POST /predict</c>: the batch of [PredictStep] <c>{model.StepName}</c> ({Doc(model.BatchType)}), with its tensors as host arrays.
            /// JSON: <c>{Doc(JsonShape(model.Request))}</c>.
            /// </summary>
            {generatedCode}
            public sealed record {ServingContractParser.RequestName}({Parameters(model.Request)});

            /// <summary>
            /// The answer of <c>POST /predict</c>: what <c>{model.StepName}</c> returns ({Doc(model.OutputType)}), with its tensors as host arrays, one row per example.
            /// JSON: <c>{Doc(JsonShape(model.Response))}</c>.
            /// </summary>
            {generatedCode}
            public sealed record {ServingContractParser.ResponseName}({Parameters(model.Response)});

            """);
    }

    private static void WriteEndpoint(SourceWriter writer, ServingContractModel model, string generatedCode)
    {
        var request = ServingContractParser.RequestName;
        var response = ServingContractParser.ResponseName;
        var tensors = model.Request.Where(m => m.Kind == ServedValueKind.Tensor).ToList();
        var canCollate = tensors.Count == model.Request.Count;
        writer.WriteLine($"/// <summary>Reads {request}, runs <c>{model.StepName}</c> on one batch of requests, writes {response}.</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine("[global::System.ComponentModel.EditorBrowsable(global::System.ComponentModel.EditorBrowsableState.Never)]");
        using (writer.Block($"private sealed class {ServingContractParser.EndpointName} : global::Volt.Serving.ServingEndpoint<{request}, {response}>"))
        {
            writer.WriteLine($"private const string Fields = {Literal(string.Join(", ", model.Request.Select(m => "\"" + m.JsonName + "\"")))};");
            foreach (var tensor in tensors)
            {
                writer.WriteLine($"private static readonly long[] {ShapeField(tensor)} = [{string.Join(", ", tensor.Shape)}];");
            }

            writer.WriteLine($"private readonly {model.ModuleType} module;");
            writer.WriteLine();
            using (writer.Block($"public {ServingContractParser.EndpointName}({model.ModuleType} module) : base(module)"))
            {
                writer.WriteLine("this.module = module;");
            }

            writer.WriteLine();

            if (!canCollate)
            {
                writer.WriteLine("// The batch has members that are not tensors, so every request is its own batch.");
            }

            writer.WriteLine($"protected override bool CanCollate => {(canCollate ? "true" : "false")};");
            writer.WriteLine();
            WriteDecode(writer, model, tensors);
            writer.WriteLine($"protected override int CountExamples({request} request) => request.{tensors[0].Name}.Count;");
            writer.WriteLine();
            WriteCollate(writer, model, canCollate);
            WritePredict(writer, model);
            writer.WriteLine($"protected override {response} Slice({response} response, int start, int count) => new(");
            WriteArguments(writer, model.Response.Select(m => $"response.{m.Name}.Slice(start, count)"));
            writer.WriteLine();
            using (writer.Block($"protected override void Encode(global::System.Text.Json.Utf8JsonWriter writer, {response} response)"))
            {
                writer.WriteLine("writer.WriteStartObject();");
                foreach (var member in model.Response)
                {
                    writer.WriteLine($"response.{member.Name}.Write(writer, {Literal(member.JsonName)});");
                }

                writer.WriteLine("writer.WriteEndObject();");
            }

            writer.WriteLine();
            writer.WriteLine($"protected override {request} ZeroExample() => new({string.Join(", ", model.Request.Select(Zero))});");
            writer.WriteLine();
            writer.WriteLine($"protected override string DescribeShapes() => {Literal(string.Join(", ", tensors.Select(t => $"{t.JsonName} [{string.Join(", ", t.Shape)}]")))};");
        }
    }

    private static void WriteDecode(SourceWriter writer, ServingContractModel model, List<ServedMemberModel> tensors)
    {
        using (writer.Block($"protected override {ServingContractParser.RequestName} Decode(ref {Reader} json)"))
        {
            foreach (var member in model.Request)
            {
                writer.WriteLine($"{member.Type}? {Local(member)} = null;");
            }

            writer.WriteLine("json.ReadStartObject(Fields);");
            using (writer.Block("while (json.ReadPropertyName(out var property))"))
            {
                using (writer.Block("switch (property)"))
                {
                    foreach (var member in model.Request)
                    {
                        writer.WriteLine($"case {Literal(member.JsonName)}:");
                        writer.WriteLine($"    {Local(member)} = {ReadCall(member)};");
                        writer.WriteLine("    break;");
                    }

                    writer.WriteLine("default:");
                    writer.WriteLine("    throw json.UnknownField(property, Fields);");
                }
            }

            writer.WriteLine();
            writer.WriteLine("json.ReadEndOfBody();");
            writer.WriteLine($"var request = new {ServingContractParser.RequestName}(");
            WriteArguments(writer, model.Request.Select(m => $"{Local(m)} ?? throw {Reader}.MissingField({Literal(m.JsonName)}, {Expectation(m)})"));
            foreach (var tensor in tensors.Skip(1))
            {
                writer.WriteLine($"{Reader}.RequireExamples({Literal(tensor.JsonName)}, request.{tensor.Name}, {Literal(tensors[0].JsonName)}, request.{tensors[0].Name}.Count);");
            }

            writer.WriteLine("return request;");
        }

        writer.WriteLine();
    }

    private static void WriteCollate(SourceWriter writer, ServingContractModel model, bool canCollate)
    {
        var request = ServingContractParser.RequestName;
        var signature = $"protected override {request} Collate(global::System.Collections.Generic.IReadOnlyList<{request}> requests)";
        if (!canCollate)
        {
            writer.WriteLine($"{signature} => throw new global::System.NotSupportedException(\"Requests with non-tensor members are not stacked.\");");
            writer.WriteLine();
            return;
        }

        writer.WriteLine($"{signature} => new(");
        WriteArguments(writer, model.Request.Select(m => $"{Rows}.Concat(requests, static request => request.{m.Name})"));
        writer.WriteLine();
    }

    private static void WritePredict(SourceWriter writer, ServingContractModel model)
    {
        using (writer.Block($"protected override {ServingContractParser.ResponseName} Predict({ServingContractParser.RequestName} request, int examples, global::TorchSharp.torch.Device device)"))
        {
            string Value(ServedMemberModel m) => m.Kind == ServedValueKind.Tensor ? $"request.{m.Name}.ToTensor(device)" : $"request.{m.Name}";
            switch (model.BatchKind)
            {
                case ServedBatchKind.Tensor:
                    writer.WriteLine($"var batch = {Value(model.Request[0])};");
                    break;
                case ServedBatchKind.Constructor:
                    writer.WriteLine($"var batch = new {model.BatchType}({string.Join(", ", model.Request.Select(Value))});");
                    break;
                default:
                    writer.WriteLine($"var batch = new {model.BatchType} {{ {string.Join(", ", model.Request.Select(m => $"{m.Name} = {Value(m)}"))} }};");
                    break;
            }

            writer.WriteLine($"var output = module.{model.StepName}(batch{(model.TakesBatchIndex ? ", 0" : string.Empty)});");
            writer.WriteLine($"return new {ServingContractParser.ResponseName}(");
            WriteArguments(writer, model.Response.Select(m => $"{Rows}.FromTensor({(model.OutputIsTensor ? "output" : "output." + m.Name)}, examples, {Literal(m.JsonName)})"));
        }

        writer.WriteLine();
    }

    /// <summary>Writes constructor arguments one per line, indented under the line that opened them, and closes the call.</summary>
    private static void WriteArguments(SourceWriter writer, IEnumerable<string> arguments)
    {
        var list = arguments.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            writer.WriteLine("    " + list[i] + (i < list.Count - 1 ? "," : ");"));
        }
    }

    private static string ReadCall(ServedMemberModel member) => member.Kind switch
    {
        ServedValueKind.Tensor => $"json.ReadTensor(property, {ShapeField(member)}, {ScalarType}.{member.DType}, seen: {Local(member)} is not null)",
        _ => $"json.Read{member.Kind}(property, seen: {Local(member)} is not null)",
    };

    private static string Expectation(ServedMemberModel member) => member.Kind switch
    {
        ServedValueKind.Tensor => $"{Reader}.TensorExpectation({ShapeField(member)})",
        ServedValueKind.Boolean => "\"true or false\"",
        ServedValueKind.String => "\"a string\"",
        ServedValueKind.Int32 or ServedValueKind.Int64 => "\"a whole number\"",
        _ => "\"a number\"",
    };

    private static string Zero(ServedMemberModel member) => member.Kind switch
    {
        ServedValueKind.Tensor => $"{Rows}.Zeros({ShapeField(member)}, {ScalarType}.{member.DType})",
        ServedValueKind.String => "\"\"",
        _ => "default",
    };

    private static string Parameters(IEnumerable<ServedMemberModel> members)
        => string.Join(", ", members.Select(m => $"{m.Type} {m.Name}"));

    private static string JsonShape(IEnumerable<ServedMemberModel> members)
        => "{" + string.Join(", ", members.Select(m => $"\"{m.JsonName}\": {JsonKind(m.Kind)}")) + "}";

    private static string JsonKind(ServedValueKind kind) => kind switch
    {
        ServedValueKind.Tensor => "[...]",
        ServedValueKind.Boolean => "true",
        ServedValueKind.String => "\"...\"",
        _ => "0",
    };

    private static string ShapeField(ServedMemberModel member) => member.Name.TrimStart('@') + "Shape";

    /// <summary>The member's local in Decode: its JSON name, kept clear of the method's own names and of keywords.</summary>
    private static string Local(ServedMemberModel member)
    {
        var name = member.JsonName;
        return name is "json" or "property" or "request" ? name + "Value" : SymbolExtensions.Escape(name);
    }

    private static string Doc(string text) => text.Replace("global::", string.Empty).Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");

    private static string Literal(string text) => SymbolDisplay.FormatLiteral(text, quote: true);
}
