using System;
using System.Collections.Generic;
using System.IO;

namespace FashionMnistSample;

/// <summary>
/// The sample's <c>export</c> subcommand: loads the classifier from a training checkpoint and writes it as an
/// ONNX model with its generated <c>ExportOnnx</c> method (standardization and network, eval mode, dynamic batch).
/// </summary>
public static class ExportOnnxCommand
{
    /// <summary>The subcommand's name, the first command-line argument.</summary>
    public const string Name = "export";

    /// <summary>The usage text printed on bad arguments and for --help.</summary>
    public const string Usage = """
        Usage: dotnet run --project Samples/FashionMnist -- export --ckpt-path FILE --output model.onnx
          --ckpt-path FILE   a checkpoint written by training, e.g. runs/fashion_mnist_mlp/version_0/checkpoints/last.ckpt
          --output FILE      the ONNX model to write: opset 17, input "images" (N×1×28×28, pixels in [0, 1]),
                             output "output" (N×10 class logits), any batch size N
          --format onnx      the file format (default onnx)
        """;

    /// <summary>The export's options.</summary>
    /// <param name="CheckpointPath">The checkpoint to load.</param>
    /// <param name="OutputPath">The .onnx file to write.</param>
    public sealed record Options(string CheckpointPath, string OutputPath);

    /// <summary>Parses the arguments after <c>export</c>; throws <see cref="ArgumentException"/> naming the bad flag.</summary>
    public static Options Parse(IReadOnlyList<string> args)
    {
        string? checkpoint = null;
        string? output = null;
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value.");
            switch (flag)
            {
                case "--ckpt-path":
                    checkpoint = Value();
                    break;
                case "--output":
                    output = Value();
                    break;
                case "--format":
                    var format = Value();
                    if (format != "onnx")
                    {
                        throw new ArgumentException($"--format is '{format}'; use onnx.");
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown option '{flag}' for export.");
            }
        }

        return new Options(
            checkpoint ?? throw new ArgumentException("export needs --ckpt-path FILE, the checkpoint to export."),
            output ?? throw new ArgumentException("export needs --output FILE, the ONNX model to write."));
    }

    /// <summary>Writes the checkpoint's classifier to <see cref="Options.OutputPath"/>.</summary>
    public static void Export(Options options)
    {
        using var model = FashionClassifier.LoadFromCheckpoint(options.CheckpointPath);
        model.eval();
        model.ExportOnnx(options.OutputPath, [1, 1, 28, 28], dynamicBatch: true);
    }

    /// <summary>Runs the subcommand; returns the process exit code (0 done, 1 failed, 2 bad arguments).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter console, TextWriter errors)
    {
        if (args.Count == 1 && args[0] is "--help" or "-h")
        {
            console.WriteLine(Usage);
            return 0;
        }

        Options options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException error)
        {
            errors.WriteLine(error.Message);
            errors.WriteLine(Usage);
            return 2;
        }

        try
        {
            Export(options);
        }
        catch (Exception error) when (error is IOException or InvalidDataException or NotSupportedException or UnauthorizedAccessException)
        {
            errors.WriteLine(error.Message);
            return 1;
        }

        console.WriteLine($"Wrote {Path.GetFullPath(options.OutputPath)} (ONNX opset 17) from {options.CheckpointPath}.");
        return 0;
    }
}
