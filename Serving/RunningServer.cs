using System;
using System.Buffers;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Volt.Serving;

/// <summary>A server started by <see cref="Server.StartAsync"/>: its address and how to stop it.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly InferenceBatcher batcher;
    private readonly ServerOptions options;
    private int stopped;

    private RunningServer(WebApplication app, InferenceBatcher batcher, ServerOptions options, Uri address)
    {
        this.app = app;
        this.batcher = batcher;
        this.options = options;
        Address = address;
    }

    /// <summary>The base address it listens on, such as <c>http://127.0.0.1:8000/</c> (with the real port when 0 was asked for).</summary>
    public Uri Address { get; }

    /// <summary>The metrics, for tests in this repository.</summary>
    internal ServingMetrics Metrics { get; private init; } = null!;

    internal static async Task<RunningServer> StartAsync(ServingEndpoint endpoint, ServerOptions options, bool handleSignals)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);
        if (!handleSignals)
        {
            // Started from code (tests, benchmarks): the caller stops it, not Ctrl+C.
            builder.Services.AddSingleton<IHostLifetime, CallerStoppedLifetime>();
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.ListenAddress(), options.Port);
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes;
        });

        var app = builder.Build();
        var metrics = new ServingMetrics();
        var batcher = new InferenceBatcher(endpoint, options, metrics);
        app.MapGet("/health", async (HttpContext context) => await Respond(context, metrics, "/health", StatusCodes.Status200OK, writer => writer.WriteString("status", "ok")));
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            metrics.ObserveRequest("/metrics", StatusCodes.Status200OK);
            context.Response.ContentType = ServingMetrics.ContentType;
            await context.Response.WriteAsync(metrics.Render());
        });
        app.MapPost("/predict", (HttpContext context) => PredictAsync(context, endpoint, options, batcher, metrics));

        try
        {
            await app.StartAsync();
        }
        catch (IOException error)
        {
            await batcher.CompleteAsync();
            await app.DisposeAsync();
            throw new IOException($"Could not listen on {options.Host}:{options.Port}: {error.Message}", error);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningServer(app, batcher, options, new Uri(address.TrimEnd('/') + "/")) { Metrics = metrics };
    }

    /// <summary>
    /// Stops gracefully: no new connections are accepted, requests in flight (received or queued)
    /// are answered, then the batcher stops. Waits at most <see cref="ServerOptions.ShutdownTimeout"/> for requests.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) != 0)
        {
            return;
        }

        await app.StopAsync();
        await batcher.CompleteAsync();
    }

    /// <summary>Returns after Ctrl+C, SIGTERM or <paramref name="stop"/>, once the server has stopped gracefully.</summary>
    internal async Task WaitForShutdownAsync(CancellationToken stop)
    {
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
        using (stop.Register(() => stopping.TrySetResult()))
        {
            await stopping.Task;
        }

        await StopAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await app.DisposeAsync();
    }

    private static async Task PredictAsync(HttpContext context, ServingEndpoint endpoint, ServerOptions options, InferenceBatcher batcher, ServingMetrics metrics)
    {
        var clock = Stopwatch.StartNew();
        int status;
        try
        {
            status = await AnswerPredictAsync(context, endpoint, options, batcher);
        }
        finally
        {
            metrics.ObserveLatency(clock.Elapsed.TotalSeconds);
        }

        metrics.ObserveRequest("/predict", status);
    }

    private static async Task<int> AnswerPredictAsync(HttpContext context, ServingEndpoint endpoint, ServerOptions options, InferenceBatcher batcher)
    {
        if (context.Request.ContentLength > options.MaxRequestBytes)
        {
            return await TooLarge(context, $"body: {context.Request.ContentLength} bytes; at most {options.MaxRequestBytes} are accepted (ServerOptions.MaxRequestBytes)");
        }

        byte[] body;
        try
        {
            body = await ReadBodyAsync(context.Request, options.MaxRequestBytes, context.RequestAborted);
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException error) when (error.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return await TooLarge(context, $"body: more than {options.MaxRequestBytes} bytes (ServerOptions.MaxRequestBytes)");
        }

        PendingPrediction request;
        try
        {
            var decoded = endpoint.Decode(body, out var examples);
            request = new PendingPrediction(decoded, examples);
        }
        catch (BadRequestException error)
        {
            return await Error(context, StatusCodes.Status400BadRequest, error.Message, error.Field);
        }

        if (!batcher.TryEnqueue(request))
        {
            context.Response.Headers.RetryAfter = "1";
            return await Error(context, StatusCodes.Status503ServiceUnavailable, $"the queue is full ({options.QueueCapacity} requests waiting, ServerOptions.QueueCapacity) or the server is stopping; retry later");
        }

        object response;
        try
        {
            response = await request.Result.Task;
        }
        catch (Exception error)
        {
            // The [PredictStep] failed (a native error, or an output without a batch dimension): the request is answered, not dropped.
            return await Error(context, StatusCodes.Status500InternalServerError, "the model failed: " + error.Message.Split('\n', 2)[0]);
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            endpoint.Encode(writer, response);
        }

        return StatusCodes.Status200OK;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancel)
    {
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 4096);
        await request.Body.CopyToAsync(buffer, cancel);
        return buffer.Length <= limit
            ? buffer.ToArray()
            : throw new Microsoft.AspNetCore.Http.BadHttpRequestException("too large", StatusCodes.Status413PayloadTooLarge);
    }

    /// <summary>413, sent in full before the connection closes: the unread rest of the body is not drained.</summary>
    private static async Task<int> TooLarge(HttpContext context, string message)
    {
        context.Response.Headers.Connection = "close";
        var status = await Error(context, StatusCodes.Status413PayloadTooLarge, message);
        await context.Response.CompleteAsync();
        return status;
    }

    private static Task<int> Error(HttpContext context, int status, string message, string? field = null)
        => Respond(context, null, null, status, writer =>
        {
            writer.WriteString("error", message);
            if (field is not null)
            {
                writer.WriteString("field", field);
            }
        });

    private static async Task<int> Respond(HttpContext context, ServingMetrics? metrics, string? path, int status, Action<Utf8JsonWriter> write)
    {
        if (path is not null)
        {
            metrics?.ObserveRequest(path, status);
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        writer.WriteStartObject();
        write(writer);
        writer.WriteEndObject();
        await writer.FlushAsync();
        return status;
    }

    /// <summary>A host lifetime that ignores Ctrl+C and SIGTERM: the code that started the server stops it.</summary>
    private sealed class CallerStoppedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
