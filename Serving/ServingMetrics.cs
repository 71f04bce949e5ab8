using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;

namespace Volt.Serving;

/// <summary>
/// The server's counters, written in the Prometheus text exposition format (version 0.0.4) for
/// <c>GET /metrics</c>: requests by path and status, the /predict latency histogram, the batch-size
/// histogram of [PredictStep] batches, and the queue depth. Thread-safe; one instance per server.
/// </summary>
internal sealed class ServingMetrics
{
    /// <summary>The content type Prometheus expects.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly ConcurrentDictionary<(string Path, int Status), long> requests = new();
    private readonly Histogram latency = new([0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
    private readonly Histogram batchSizes = new([1, 2, 4, 8, 16, 32, 64, 128, 256]);
    private long queueDepth;

    /// <summary>Counts a finished request.</summary>
    public void ObserveRequest(string path, int status) => requests.AddOrUpdate((path, status), 1, (_, n) => n + 1);

    /// <summary>Records how long a /predict request took, from arrival to response.</summary>
    public void ObserveLatency(double seconds) => latency.Observe(seconds);

    /// <summary>Records the number of examples in one [PredictStep] batch.</summary>
    public void ObserveBatch(int examples) => batchSizes.Observe(examples);

    /// <summary>Adds <paramref name="change"/> to the number of queued requests.</summary>
    public void QueueChanged(int change) => Interlocked.Add(ref queueDepth, change);

    /// <summary>The number of queued requests now.</summary>
    public long QueueDepth => Interlocked.Read(ref queueDepth);

    /// <summary>All metrics in the Prometheus text format.</summary>
    public string Render()
    {
        var text = new StringBuilder();
        text.Append("# HELP volt_requests_total HTTP requests answered, by path and status code.\n");
        text.Append("# TYPE volt_requests_total counter\n");
        foreach (var ((path, status), count) in requests.OrderBy(r => r.Key.Path).ThenBy(r => r.Key.Status))
        {
            text.Append(CultureInfo.InvariantCulture, $"volt_requests_total{{path=\"{path}\",status=\"{status}\"}} {count}\n");
        }

        latency.Render(text, "volt_request_duration_seconds", "Time from a /predict request's arrival to its response, in seconds.");
        batchSizes.Render(text, "volt_batch_size", "Examples stacked into one [PredictStep] batch.");
        text.Append("# HELP volt_queue_depth Accepted /predict requests waiting for the model.\n");
        text.Append("# TYPE volt_queue_depth gauge\n");
        text.Append(CultureInfo.InvariantCulture, $"volt_queue_depth {QueueDepth}\n");
        return text.ToString();
    }

    /// <summary>A cumulative Prometheus histogram.</summary>
    private sealed class Histogram(double[] bounds)
    {
        private readonly long[] counts = new long[bounds.Length + 1];
        private readonly Lock gate = new();
        private double sum;
        private long total;

        public void Observe(double value)
        {
            lock (gate)
            {
                var bucket = 0;
                while (bucket < bounds.Length && value > bounds[bucket])
                {
                    bucket++;
                }

                counts[bucket]++;
                sum += value;
                total++;
            }
        }

        public void Render(StringBuilder text, string name, string help)
        {
            lock (gate)
            {
                text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} histogram\n");
                long cumulative = 0;
                for (var i = 0; i < bounds.Length; i++)
                {
                    cumulative += counts[i];
                    text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"{bounds[i]}\"}} {cumulative}\n");
                }

                text.Append(CultureInfo.InvariantCulture, $"{name}_bucket{{le=\"+Inf\"}} {total}\n{name}_sum {sum}\n{name}_count {total}\n");
            }
        }
    }
}
