using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using Volt.Serving;

namespace FashionMnistSample;

/// <summary>
/// <c>serve --ckpt-path FILE --port N</c>: serves a trained classifier's [PredictStep] over HTTP (POST /predict
/// with <c>{"images": [...]}</c>, 1×28×28 images with pixels in [0, 1], answered with <c>{"logits": [...], "labels": [...]}</c>;
/// GET /health; GET /metrics) until Ctrl+C. See docs/serving.md.
/// </summary>
public static class ServeCommand
{
    /// <summary>The usage text.</summary>
    public const string Usage = """
        Usage: dotnet run --project Samples/FashionMnist -- serve --ckpt-path FILE [--port N] [--host ADDRESS] [--no-batching]
          --ckpt-path FILE   a Volt checkpoint (.ckpt), or weights (.pt, .safetensors)
          --port N           TCP port (default 8000)
          --host ADDRESS     address to listen on (default 127.0.0.1, loopback only)
          --no-batching      run every request on its own instead of batching concurrent ones
        """;

    /// <summary>The parsed arguments.</summary>
    /// <param name="CheckpointPath">The trained model.</param>
    /// <param name="Server">The server options (the request's shape is the classifier's generated contract).</param>
    public sealed record Options(string CheckpointPath, ServerOptions Server);

    /// <summary>Parses <paramref name="args"/> (after the word "serve"); throws <see cref="ArgumentException"/> naming the bad flag.</summary>
    public static Options Parse(IReadOnlyList<string> args)
    {
        string? checkpoint = null;
        var server = new ServerOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (flag == "--no-batching")
            {
                server = server with { DynamicBatching = false };
                continue;
            }

            var value = i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag} needs a value.");
            switch (flag)
            {
                case "--ckpt-path": checkpoint = value; break;
                case "--port":
                    server = server with
                    {
                        Port = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var port) && port is >= 0 and <= 65535
                            ? port
                            : throw new ArgumentException($"--port is '{value}'; it takes a TCP port from 0 to 65535."),
                    };
                    break;
                case "--host": server = server with { Host = value }; break;
                default: throw new ArgumentException($"Unknown serve option '{flag}'.");
            }
        }

        return new Options(checkpoint ?? throw new ArgumentException("serve needs --ckpt-path FILE."), server);
    }

    /// <summary>Runs the command until Ctrl+C or <paramref name="stop"/>; returns the process exit code (0 stopped, 1 unreadable model or port in use, 2 bad arguments).</summary>
    public static int Run(IReadOnlyList<string> args, TextWriter console, TextWriter errors, CancellationToken stop = default)
        => Subcommand.Run(args, Parse, options => options.CheckpointPath, (options, model) => Server.Run(model, options.Server, console, stop), Usage, errors);
}
