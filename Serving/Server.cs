using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Volt.Serving;

/// <summary>
/// Serves a <see cref="ServeAttribute"/> module's <c>[PredictStep]</c> over HTTP (ASP.NET Core, Kestrel):
/// <c>POST /predict</c> with the JSON of the generated <c>PredictRequest</c> (the step's batch type),
/// answered with the JSON of the generated <c>PredictResponse</c> (the step's return type); <c>GET /health</c>
/// and <c>GET /metrics</c> (Prometheus text). Concurrent requests are stacked into one batch
/// (<see cref="ServerOptions.DynamicBatching"/>). See docs/serving.md.
/// </summary>
public static class Server
{
    /// <summary>
    /// Serves <paramref name="module"/> until Ctrl+C, SIGTERM or <paramref name="stop"/>, then stops
    /// accepting connections and finishes the requests in flight before returning.
    /// </summary>
    /// <param name="module">A module with [Serve]; it is switched to eval mode and must not be trained meanwhile.</param>
    /// <param name="options">Address, batching and limits.</param>
    /// <param name="console">Where the address is announced; none when null.</param>
    /// <param name="stop">Stops the server when cancelled.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the [PredictStep] fails on one example of the declared [ExampleShape]s; the message names it.</exception>
    public static void Run(IServableModule module, ServerOptions options, TextWriter? console = null, CancellationToken stop = default)
        => RunAsync(module, options, console, stop).GetAwaiter().GetResult();

    /// <inheritdoc cref="Run"/>
    public static async Task RunAsync(IServableModule module, ServerOptions options, TextWriter? console = null, CancellationToken stop = default)
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
    /// <param name="module">A module with [Serve]; it is switched to eval mode and must not be trained meanwhile.</param>
    /// <param name="options">Address, batching and limits.</param>
    /// <exception cref="ArgumentException">An option is invalid, or the [PredictStep] fails on one example of the declared [ExampleShape]s; the message names it.</exception>
    public static Task<RunningServer> StartAsync(IServableModule module, ServerOptions options)
        => StartCheckedAsync(module, options, handleSignals: false);

    private static Task<RunningServer> StartCheckedAsync(IServableModule module, ServerOptions options, bool handleSignals)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var endpoint = module.CreateServingEndpoint();
        endpoint.CheckAtStart();
        return RunningServer.StartAsync(endpoint, options, handleSignals);
    }
}
