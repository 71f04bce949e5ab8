using System;
using System.Collections.Generic;
using System.IO;
using Volt.Export;

namespace FashionMnistSample;

/// <summary>
/// <c>export --ckpt-path FILE --format pt|safetensors --output FILE</c>: writes a trained classifier's
/// weights in a format other tools read (PyTorch's <c>torch.load(weights_only=True)</c>, safetensors).
/// </summary>
public static class ExportCommand
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        Usage: dotnet run --project Samples/FashionMnist -- export --ckpt-path FILE --format FORMAT --output FILE
          --ckpt-path FILE   a Volt checkpoint (.ckpt), or weights (.pt, .safetensors)
          --format FORMAT    onnx (the default; see export --format onnx --help), pt (PyTorch state_dict, torch.load(path, weights_only=True)) or safetensors
          --output FILE      the file to write; replaced atomically
        """;

    /// <summary>The parsed arguments.</summary>
    /// <param name="CheckpointPath">The trained model.</param>
    /// <param name="Format">"pt" or "safetensors".</param>
    /// <param name="Output">The file to write.</param>
    public sealed record Options(string CheckpointPath, string Format, string Output);

    /// <summary>Parses <paramref name="args"/> (after the word "export"); throws <see cref="ArgumentException"/> naming the bad flag.</summary>
    public static Options Parse(IReadOnlyList<string> args)
    {
        string? checkpoint = null, format = null, output = null;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value.");
            switch (flag)
            {
                case "--ckpt-path": checkpoint = value; break;
                case "--format": format = value is "pt" or "safetensors" ? value : throw new ArgumentException($"--format is '{value}'; use one of: onnx, pt, safetensors."); break;
                case "--output": output = value; break;
                default: throw new ArgumentException($"Unknown export option '{flag}'.");
            }
        }

        return new Options(
            checkpoint ?? throw new ArgumentException("export needs --ckpt-path FILE."),
            format ?? throw new ArgumentException("export needs --format pt|safetensors."),
            output ?? throw new ArgumentException("export needs --output FILE."));
    }

    /// <summary>Runs the command; returns the process exit code (0 done, 1 unreadable input or failed write, 2 bad arguments).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter console, TextWriter errors)
        => FormatOf(args) is null or "onnx"
            ? ExportOnnxCommand.Run(args, console, errors)
            : Subcommand.Run(args, Parse, options => options.CheckpointPath, (options, model) =>
        {
            if (options.Format == "pt")
            {
                TorchWeights.Save(model, options.Output);
            }
            else
            {
                Safetensors.Save(model, options.Output, new Dictionary<string, string> { ["format"] = "pt", ["model"] = nameof(FashionClassifier) });
            }

            console.WriteLine($"Wrote {Path.GetFullPath(options.Output)} ({options.Format}, {model.state_dict().Count} tensors).");
        }, Usage, errors);

    /// <summary>The value after --format, or null when none is given (ONNX is the default format).</summary>
    private static string? FormatOf(IReadOnlyList<string> args)
    {
        for (var i = 0; i + 1 < args.Count; i++)
        {
            if (args[i] == "--format")
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
