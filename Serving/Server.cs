using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace Volt.Serving;

/// <summary>
/// Serves a module's forward pass over HTTP (ASP.NET Core, Kestrel): <c>POST /predict</c> with
/// <c>{"inputs": [example, ...]}</c>, <c>GET /health</c> and <c>GET /metrics</c> (Prometheus text).
/// Concurrent requests are batched into one forward pass (<see cref="ServerOptions.DynamicBatching"/>).
/// See docs/serving.md.
/// </summary>
public static class Server
{
    /// <summary>
    /// Serves <paramref name="module"/> until Ctrl+C, SIGTERM or <paramref name="stop"/>, then stops
    /// accepting connections and finishes the requests in flight before returning.
    /// </summary>
    /// <param name="module">The module; it is switched to eval mode and must not be trained meanwhile.</param>
    /// <param name="options">Address, input shape, batching and limits.</param>
    /// <param name="console">Where the address is announced; none when null.</param>
    /// <param name="stop">Stops the server when cancelled.</param>
    /// <exception cref="ArgumentException">An option is invalid or the module rejects <see cref="ServerOptions.InputShape"/>; the message names it.</exception>
    public static void Run(nn.Module<Tensor, Tensor> module, ServerOptions options, TextWriter? console = null, CancellationToken stop = default)
        => RunAsync(module, options, console, stop).GetAwaiter().GetResult();

    /// <inheritdoc cref="Run"/>
    public static async Task RunAsync(nn.Module<Tensor, Tensor> module, ServerOptions options, TextWriter? console = null, CancellationToken stop = default)
    {
        await using var server = await StartCheckedAsync(module, options, handleSignals: true);
        console?.WriteLine($"Serving on {server.Address} (POST /predict, GET /health, GET /metrics); Ctrl+C stops.");
        await server.WaitForShutdownAsync(stop);
        console?.WriteLine("Stopped; every accepted request was answered.");
    }

    /// <summary>
    /// Starts serving <paramref name="module"/> in the background and returns once it listens. Stop it
    /// with <see cref="RunningServer.StopAsync"/> (or dispose it).
    /// </summary>
    /// <param name="module">The module; it is switched to eval mode and must not be trained meanwhile.</param>
    /// <param name="options">Address, input shape, batching and limits.</param>
    /// <exception cref="ArgumentException">An option is invalid or the module rejects <see cref="ServerOptions.InputShape"/>; the message names it.</exception>
    public static Task<RunningServer> StartAsync(nn.Module<Tensor, Tensor> module, ServerOptions options)
        => StartCheckedAsync(module, options, handleSignals: false);

    private static Task<RunningServer> StartCheckedAsync(nn.Module<Tensor, Tensor> module, ServerOptions options, bool handleSignals)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        CheckInputShape(module, options);
        return RunningServer.StartAsync(module, options, handleSignals);
    }

    /// <summary>Runs one zero example through the module so a wrong InputShape fails at start, not per request.</summary>
    private static void CheckInputShape(nn.Module<Tensor, Tensor> module, ServerOptions options)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        module.eval();
        try
        {
            var output = module.forward(zeros([1, .. options.InputShape]));
            if (output.dim() == 0 || output.shape[0] != 1)
            {
                throw new ArgumentException($"The module returned shape [{string.Join(", ", output.shape)}] for one example of ServerOptions.InputShape [{string.Join(", ", options.InputShape)}]; the server needs the batch dimension first.", nameof(options));
            }
        }
        catch (ExternalException error)
        {
            throw new ArgumentException($"The module's forward rejects inputs of ServerOptions.InputShape [{string.Join(", ", options.InputShape)}] (with a batch dimension in front): {FirstLine(error.Message)}", nameof(options), error);
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0];
}
