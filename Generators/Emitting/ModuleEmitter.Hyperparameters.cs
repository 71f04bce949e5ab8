using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis.CSharp;
using Volt.Generators.Model;

namespace Volt.Generators.Emitting;

/// <summary>The hyperparameters section: capture fields, the Hyperparameters record with its JSON form, and the factories.</summary>
internal sealed partial class ModuleEmitter
{
    private void WriteHyperparameters()
    {
        var hyperparameters = model.Hyperparameters;
        foreach (var item in hyperparameters.Items.Where(h => h.Source == HyperparameterSource.ConstructorParameter))
        {
            writer.WriteLine(generatedCode);
            writer.WriteLine($"private readonly {item.Type} {item.MemberName} = {Identifier(item.Name)};");
        }

        if (hyperparameters.Items.Any(h => h.Source == HyperparameterSource.ConstructorParameter))
        {
            writer.WriteLine();
        }

        writer.WriteLine("/// <summary>The hyperparameters of this module, as saved to <c>hparams.json</c>.</summary>");
        writer.WriteLine(generatedCode);
        var parameters = string.Join(", ", hyperparameters.Items.Select(h => $"{h.Type} {h.RecordPropertyName}"));
        using (writer.Block($"public sealed partial record Hyperparameters({parameters}) : global::Volt.IHyperparameters"))
        {
            writer.WriteLine("/// <inheritdoc/>");
            writer.WriteLine(generatedCode);
            using (writer.Block("public void WriteJsonProperties(global::System.Text.Json.Utf8JsonWriter writer)"))
            {
                foreach (var item in hyperparameters.Items)
                {
                    WriteJsonProperty(item);
                }
            }

            writer.WriteLine();
            WriteJsonReader(hyperparameters);
        }

        writer.WriteLine();

        writer.WriteLine("/// <summary>Returns the current hyperparameters: constructor arguments as given, [Hyperparameter] properties as they are now.</summary>");
        WriteMember($"public Hyperparameters GetHyperparameters() => new({string.Join(", ", hyperparameters.Items.Select(h => h.MemberName))});");
        writer.WriteLine("/// <summary>Writes <c>hparams.json</c> into <paramref name=\"directory\"/>; the trainer calls it when fitting starts.</summary>");
        writer.WriteLine("/// <returns>The path of the written file.</returns>");
        WriteMember("public string SaveHyperparameters(string directory) => global::Volt.HyperparameterFile.Save(directory, GetHyperparameters());");

        if (hyperparameters.HasFactory)
        {
            WriteFactory(hyperparameters);
        }
    }

    private void WriteJsonProperty(HyperparameterModel item)
    {
        var key = SymbolDisplay.FormatLiteral(item.Name, quote: true);
        var value = item.RecordPropertyName;
        if (item.JsonKind == JsonValueKind.Array)
        {
            WriteJsonArray(item, key, value);
            return;
        }

        if (item.IsNullableValue)
        {
            using (writer.Block($"if ({value} is {{ }} {Camel(value)}Value)"))
            {
                writer.WriteLine(JsonWrite(item.JsonKind, key, Camel(value) + "Value"));
            }

            using (writer.Block("else"))
            {
                writer.WriteLine($"writer.WriteNull({key});");
            }

            return;
        }

        writer.WriteLine(JsonWrite(item.JsonKind, key, value));
    }

    /// <summary>An array hyperparameter as a JSON array (null when the array is null).</summary>
    private void WriteJsonArray(HyperparameterModel item, string key, string value)
    {
        var write = item.ElementKind switch
        {
            JsonValueKind.Number => "writer.WriteNumberValue(element);",
            JsonValueKind.Boolean => "writer.WriteBooleanValue(element);",
            JsonValueKind.Enum => "writer.WriteStringValue(element.ToString());",
            _ => "writer.WriteStringValue(element);",
        };
        using (writer.Block($"if ({value} is {{ }} {Camel(value)}Value)"))
        {
            writer.WriteLine($"writer.WriteStartArray({key});");
            using (writer.Block($"foreach (var element in {Camel(value)}Value)"))
            {
                writer.WriteLine(write);
            }

            writer.WriteLine();
            writer.WriteLine("writer.WriteEndArray();");
        }

        using (writer.Block("else"))
        {
            writer.WriteLine($"writer.WriteNull({key});");
        }
    }

    private void WriteJsonReader(HyperparametersModel hyperparameters)
    {
        writer.WriteLine("/// <summary>Reads hyperparameters written by <see cref=\"WriteJsonProperties\"/> (from hparams.json or a checkpoint).</summary>");
        writer.WriteLine(generatedCode);
        if (hyperparameters.Items.Count == 0)
        {
            writer.WriteLine("public static Hyperparameters FromJson(global::System.Text.Json.JsonElement json) => new();");
            return;
        }

        writer.WriteLine("public static Hyperparameters FromJson(global::System.Text.Json.JsonElement json) => new(");
        for (var i = 0; i < hyperparameters.Items.Count; i++)
        {
            var item = hyperparameters.Items[i];
            var key = SymbolDisplay.FormatLiteral(item.Name, quote: true);
            var property = $"global::Volt.HyperparameterFile.Property(json, {key})";
            var read = JsonRead(item, property);
            var nullable = item.IsNullableValue || (item.JsonKind == JsonValueKind.Array && item.Type.EndsWith("?"));
            var value = nullable ? $"global::Volt.HyperparameterFile.IsNull(json, {key}) ? null : {read}" : read;
            writer.WriteLine($"    {item.RecordPropertyName}: {value}{(i < hyperparameters.Items.Count - 1 ? "," : ");")}");
        }
    }

    private static string JsonRead(HyperparameterModel item, string property)
    {
        var type = item.Type.TrimEnd('?');
        if (item.JsonKind == JsonValueKind.Array)
        {
            var element = JsonRead(item with { JsonKind = item.ElementKind, Type = item.ElementType }, "element");
            return $"global::System.Linq.Enumerable.ToArray(global::System.Linq.Enumerable.Select({property}.EnumerateArray(), element => {element}))";
        }

        return item.JsonKind switch
        {
            JsonValueKind.Boolean => property + ".GetBoolean()",
            JsonValueKind.String => property + ".GetString()" + (item.Type.EndsWith("?") ? string.Empty : "!"),
            JsonValueKind.Enum => $"global::System.Enum.Parse<{type}>({property}.GetString()!)",
            _ => property + "." + NumberGetter(type) + "()",
        };
    }

    private static string NumberGetter(string type) => type switch
    {
        "byte" => "GetByte",
        "sbyte" => "GetSByte",
        "short" => "GetInt16",
        "ushort" => "GetUInt16",
        "int" => "GetInt32",
        "uint" => "GetUInt32",
        "long" => "GetInt64",
        "ulong" => "GetUInt64",
        "float" => "GetSingle",
        "decimal" => "GetDecimal",
        _ => "GetDouble",
    };

    private static string JsonWrite(JsonValueKind kind, string key, string value) => kind switch
    {
        JsonValueKind.Number => $"writer.WriteNumber({key}, {value});",
        JsonValueKind.Boolean => $"writer.WriteBoolean({key}, {value});",
        JsonValueKind.Enum => $"writer.WriteString({key}, {value}.ToString());",
        _ => $"writer.WriteString({key}, {value});",
    };

    private void WriteFactory(HyperparametersModel hyperparameters)
    {
        var extras = hyperparameters.FactoryArguments.Where(a => a.Hyperparameter is null && !a.HasDefault).ToList();
        var recordParameter = extras.Any(a => a.ParameterName == "hyperparameters") ? "values" : "hyperparameters";
        var factoryParameters = new List<string> { $"Hyperparameters {recordParameter}" };
        factoryParameters.AddRange(extras.Select(a => $"{a.Type} {Identifier(a.ParameterName)}"));

        var arguments = hyperparameters.FactoryArguments
            .Where(a => a.Hyperparameter is not null || !a.HasDefault)
            .Select(a => a.Hyperparameter is { } property
                ? $"{Identifier(a.ParameterName)}: {recordParameter}.{property}"
                : $"{Identifier(a.ParameterName)}: {Identifier(a.ParameterName)}");

        writer.WriteLine("/// <summary>Creates the module from saved hyperparameters" + (extras.Count > 0 ? " and the constructor arguments that are not hyperparameters" : string.Empty) + ".</summary>");
        writer.WriteLine(generatedCode);
        writer.WriteLine($"public static {model.SelfType} FromHyperparameters({string.Join(", ", factoryParameters)})");
        var construction = $"new {model.SelfType}({string.Join(", ", arguments)})";
        if (hyperparameters.FactoryInitializers.Count == 0)
        {
            writer.WriteLine($"    => {construction};");
        }
        else
        {
            writer.WriteLine($"    => {construction}");
            writer.WriteLine("    {");
            foreach (var property in hyperparameters.FactoryInitializers)
            {
                var member = hyperparameters.Items.First(h => h.RecordPropertyName == property).MemberName;
                writer.WriteLine($"        {member} = {recordParameter}.{property},");
            }

            writer.WriteLine("    };");
        }

        writer.WriteLine();
        WriteLoadFromCheckpoint(extras, recordParameter);
    }

    private void WriteLoadFromCheckpoint(List<ConstructorArgumentModel> extras, string recordParameter)
    {
        var parameters = new List<string> { "string path" };
        parameters.AddRange(extras.Select(a => $"{a.Type} {Identifier(a.ParameterName)}"));
        parameters.Add($"global::System.Func<Hyperparameters, Hyperparameters>? overrides = null");
        var factoryArguments = string.Join(", ", new[] { recordParameter }.Concat(extras.Select(a => Identifier(a.ParameterName))));

        writer.WriteLine("/// <summary>");
        writer.WriteLine("/// Rebuilds the module from the hyperparameters saved in a checkpoint and loads its weights.");
        writer.WriteLine("/// <paramref name=\"overrides\"/> can change single hyperparameters, e.g. <c>h => h with { LearningRate = 1e-4 }</c>.");
        writer.WriteLine("/// </summary>");
        writer.WriteLine(generatedCode);
        using (writer.Block($"public static {model.SelfType} LoadFromCheckpoint({string.Join(", ", parameters)})"))
        {
            writer.WriteLine("using var checkpoint = global::Volt.Checkpoints.CheckpointReader.Open(path);");
            writer.WriteLine($"var {recordParameter} = global::Volt.Checkpoints.TrainingCheckpoint.ReadHyperparameters(checkpoint, typeof({model.SelfType}), Hyperparameters.FromJson);");
            using (writer.Block("if (overrides is not null)"))
            {
                writer.WriteLine($"{recordParameter} = overrides({recordParameter});");
            }

            writer.WriteLine();
            writer.WriteLine($"var module = FromHyperparameters({factoryArguments});");
            using (writer.Block("try"))
            {
                writer.WriteLine("global::Volt.Checkpoints.TrainingCheckpoint.LoadModelState(checkpoint, module);");
                writer.WriteLine("return module;");
            }

            using (writer.Block("catch"))
            {
                writer.WriteLine("module.Dispose();");
                writer.WriteLine("throw;");
            }
        }

        writer.WriteLine();
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name.Substring(1);
}
