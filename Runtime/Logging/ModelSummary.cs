using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Spectre.Console;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Volt.Logging;

/// <summary>One layer of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The dotted path of the layer inside the module (<c>network.hidden</c>).</param>
/// <param name="Type">The layer's class name.</param>
/// <param name="Parameters">Parameters of the layer and its sublayers.</param>
/// <param name="OutputShape">
/// The output shape as far as the layer's type tells it without running it: <c>[*, 10]</c> for a
/// Linear layer, <c>[*, 32, *, *]</c> for a 2-d convolution (<c>*</c> depends on the input), and
/// <c>?</c> for every other layer. TorchSharp has no forward hooks, so a dry forward cannot observe shapes.
/// </param>
public sealed record ModelSummaryLayer(string Name, string Type, long Parameters, string OutputShape);

/// <summary>
/// The layers and parameter counts of a module (Lightning's <c>ModelSummary</c>, printed when fitting
/// starts): each layer down to <see cref="MaxDepth"/> levels with its type, parameter count and output
/// shape where known, then the trainable, non-trainable and total parameter counts and the parameters'
/// size in megabytes (10^6 bytes, from each parameter's element size).
/// </summary>
public sealed class ModelSummary
{
    /// <summary>How many levels of sublayers are listed (Lightning's <c>ModelSummary(max_depth=2)</c>).</summary>
    public const int MaxDepth = 2;

    private ModelSummary(IReadOnlyList<ModelSummaryLayer> layers, long trainable, long nonTrainable, double sizeMegabytes)
    {
        Layers = layers;
        TrainableParameters = trainable;
        NonTrainableParameters = nonTrainable;
        SizeMegabytes = sizeMegabytes;
    }

    /// <summary>The listed layers in definition order, parents before their sublayers.</summary>
    public IReadOnlyList<ModelSummaryLayer> Layers { get; }

    /// <summary>Parameters that require gradients.</summary>
    public long TrainableParameters { get; }

    /// <summary>Parameters that do not require gradients (frozen).</summary>
    public long NonTrainableParameters { get; }

    /// <summary>All parameters.</summary>
    public long TotalParameters => TrainableParameters + NonTrainableParameters;

    /// <summary>The parameters' storage in megabytes (10^6 bytes).</summary>
    public double SizeMegabytes { get; }

    /// <summary>Summarizes <paramref name="module"/>.</summary>
    /// <param name="module">The module.</param>
    public static ModelSummary Of(nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var layers = new List<ModelSummaryLayer>();
        AddLayers(module, prefix: "", depth: 1, layers);
        long trainable = 0, frozen = 0, bytes = 0;
        foreach (var parameter in module.parameters())
        {
            var count = parameter.numel();
            bytes += count * parameter.ElementSize;
            if (parameter.requires_grad)
            {
                trainable += count;
            }
            else
            {
                frozen += count;
            }
        }

        return new ModelSummary(layers, trainable, frozen, bytes / 1e6);
    }

    /// <summary>
    /// A parameter count as Lightning prints it (<c>get_human_readable_count</c>): <c>203 K</c>,
    /// <c>50.9 K</c>, <c>1.2 M</c>, <c>10</c>.
    /// </summary>
    public static string ReadableCount(long count)
    {
        string[] labels = ["", "K", "M", "B", "T"];
        var digits = count > 0 ? (int)Math.Floor(Math.Log10(count)) + 1 : 1;
        var groups = Math.Min((int)Math.Ceiling(digits / 3.0), labels.Length);
        var scaled = count * Math.Pow(10, -3 * (groups - 1));
        var text = groups < 2 || scaled >= 100
            ? Math.Floor(scaled).ToString("N0", CultureInfo.InvariantCulture)
            : scaled.ToString("N1", CultureInfo.InvariantCulture);
        return labels[groups - 1].Length == 0 ? text : text + " " + labels[groups - 1];
    }

    /// <summary>The summary as plain text: a table with <c>|</c> separators and the totals below it.</summary>
    public string ToText()
    {
        string[] header = ["", "Name", "Type", "Params", "Out shape"];
        var rows = Layers.Select((layer, i) => new[] { i.ToString(CultureInfo.InvariantCulture), layer.Name, layer.Type, ReadableCount(layer.Parameters), layer.OutputShape }).ToList();
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        var text = new StringBuilder();
        string Row(string[] cells) => string.Join(" | ", cells.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd();
        var rule = new string('-', Row(header).Length);
        text.Append(Row(header)).Append('\n').Append(rule).Append('\n');
        foreach (var row in rows)
        {
            text.Append(Row(row)).Append('\n');
        }

        text.Append(rule).Append('\n');
        foreach (var (value, label) in Totals())
        {
            text.Append(value.PadRight(10)).Append(label).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Writes the plain-text summary.</summary>
    public void Write(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(ToText().Replace("\n", output.NewLine, StringComparison.Ordinal));
        output.Flush();
    }

    /// <summary>Writes the summary as a Spectre.Console table, for a terminal.</summary>
    public void Write(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var table = new Table().Border(TableBorder.Rounded).AddColumn("").AddColumn("Name").AddColumn("Type").AddColumn(new TableColumn("Params").RightAligned()).AddColumn("Out shape");
        for (var i = 0; i < Layers.Count; i++)
        {
            var layer = Layers[i];
            table.AddRow(new Text(i.ToString(CultureInfo.InvariantCulture)), new Text(layer.Name), new Text(layer.Type), new Text(ReadableCount(layer.Parameters)), new Text(layer.OutputShape));
        }

        console.Write(table);
        var totals = new Grid().AddColumn(new GridColumn().RightAligned()).AddColumn();
        foreach (var (value, label) in Totals())
        {
            totals.AddRow(new Text(value, new Style(decoration: Decoration.Bold)), new Text(label));
        }

        console.Write(totals);
    }

    private IEnumerable<(string Value, string Label)> Totals()
    {
        yield return (ReadableCount(TrainableParameters), "Trainable params");
        yield return (ReadableCount(NonTrainableParameters), "Non-trainable params");
        yield return (ReadableCount(TotalParameters), "Total params");
        yield return (SizeMegabytes.ToString("F3", CultureInfo.InvariantCulture), "Total estimated model params size (MB)");
    }

    private static void AddLayers(nn.Module module, string prefix, int depth, List<ModelSummaryLayer> layers)
    {
        foreach (var (name, child) in module.named_children())
        {
            var path = prefix + name;
            var parameters = child.parameters().Sum(p => p.numel());
            layers.Add(new ModelSummaryLayer(path, child.GetType().Name, parameters, OutputShape(child)));
            if (depth < MaxDepth)
            {
                AddLayers(child, path + ".", depth + 1, layers);
            }
        }
    }

    private static string OutputShape(nn.Module layer) => layer switch
    {
        Linear linear => $"[*, {linear.out_features.ToString(CultureInfo.InvariantCulture)}]",
        Convolution convolution => "[*, " + convolution.out_channels.ToString(CultureInfo.InvariantCulture) + string.Concat(Enumerable.Repeat(", *", convolution.kernel_size.Length)) + "]",
        _ => "?",
    };
}
