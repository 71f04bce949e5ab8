using System;
using System.Net;

namespace Volt.Serving;

/// <summary>How <see cref="Server"/> listens, batches and limits requests. See docs/serving.md.</summary>
public sealed record ServerOptions
{
    /// <summary>The address to listen on: an IP address or <c>localhost</c>. Default 127.0.0.1 (loopback only).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one (see <see cref="RunningServer.Address"/>). Default 8000.</summary>
    public int Port { get; init; } = 8000;

    /// <summary>
    /// Whether concurrent requests are stacked into one batch for the [PredictStep]. When false every
    /// request is its own batch. Requests whose batch type has non-tensor members are never stacked. Default true.
    /// </summary>
    public bool DynamicBatching { get; init; } = true;

    /// <summary>
    /// How long the batcher waits after the first queued request for more to join its batch. Default 2 ms.
    /// Ignored without <see cref="DynamicBatching"/>.
    /// </summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// The most examples stacked into one batch. A single request with more examples still runs,
    /// alone. Default 64.
    /// </summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>How many accepted requests may wait for the model; more get 503. Default 256.</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>The largest request body accepted, in bytes; larger ones get 413. Default 4 MiB.</summary>
    public long MaxRequestBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long shutdown waits for in-flight requests to finish. Default 30 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    internal void Validate()
    {
        ListenAddress();
        Require(Port is >= 0 and <= 65535, nameof(Port), Port, "a TCP port from 0 to 65535");
        Require(BatchWindow >= TimeSpan.Zero, nameof(BatchWindow), BatchWindow, "zero or more");
        Require(MaxBatchSize >= 1, nameof(MaxBatchSize), MaxBatchSize, "at least 1");
        Require(QueueCapacity >= 1, nameof(QueueCapacity), QueueCapacity, "at least 1");
        Require(MaxRequestBytes >= 1, nameof(MaxRequestBytes), MaxRequestBytes, "at least 1");
        Require(ShutdownTimeout >= TimeSpan.Zero, nameof(ShutdownTimeout), ShutdownTimeout, "zero or more");
    }

    /// <summary>The parsed <see cref="Host"/>.</summary>
    internal IPAddress ListenAddress()
        => Host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(Host, out var address) ? address
            : throw new ArgumentException($"ServerOptions.Host is '{Host}'; use an IP address such as 127.0.0.1 or 0.0.0.0, or localhost.", nameof(Host));

    private static void Require(bool valid, string option, object value, string rule)
    {
        if (!valid)
        {
            throw new ArgumentException($"ServerOptions.{option} is {value}; it must be {rule}.", option);
        }
    }
}
