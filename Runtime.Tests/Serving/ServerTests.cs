using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using TorchSharp;
using Volt.Data;
using Volt.Runtime.Tests.Export;
using Volt.Runtime.Tests.Training;
using Volt.Serving;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Serving;

public sealed class ServerTests() : TrainingTest(samples: 24)
{
    private static readonly ServerOptions Loopback = new() { Port = 0 };

    [Fact]
    public async Task PredictAnswersWhatTrainerPredictReturns()
    {
        torch.manual_seed(4);
        using var module = new OffsetClassifier();
        using var features = torch.randn(6, 2, 2);
        using var offsets = torch.randint(-3, 4, [6, 3], ScalarType.Int64);
        using var loader = TensorDataLoader.Create(features, offsets, batchSize: 6, (f, o) => new FeatureBatch(f, o), shuffle: false);
        var predicted = new Trainer(Root.Options(maxEpochs: 1)).Predict(module, loader);
        var expectedLogits = predicted[0].Logits.to(ScalarType.Float64).data<double>().ToArray();
        var expectedBest = predicted[0].Best.data<long>().ToArray();
        predicted[0].Logits.Dispose();
        predicted[0].Best.Dispose();

        await using var server = await Server.StartAsync(module, Loopback);
        using var client = new HttpClient { BaseAddress = server.Address };
        var body = new
        {
            features = Enumerable.Range(0, 6).Select(i => Enumerable.Range(0, 2).Select(r => features[i, r].data<float>().ToArray()).ToArray()).ToArray(),
            offsets = Enumerable.Range(0, 6).Select(i => offsets[i].data<long>().ToArray()).ToArray(),
        };
        using var response = await client.PostAsync("predict", Json(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var logits = answer.RootElement.GetProperty("logits").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
        TorchWeightsTests.AssertClose(logits, expectedLogits, 1e-5, "logits");
        Assert.Equal(expectedBest, answer.RootElement.GetProperty("best").EnumerateArray().Select(v => v.GetInt64()).ToArray());
    }

    [Theory]
    [InlineData("""{"features": [[[1, 2], [3, 4]]], "offsets": [[1, 2.5, 3]]}""", "offsets[0][1]", "not a whole number")]
    [InlineData("""{"features": [[[1, 2], [3, 4]]], "offsets": [[1, 2, 3], [1, 2, 3]]}""", "offsets", "has 2 examples but \"features\" has 1")]
    [InlineData("""{"features": [[[1, 2], [3, 4]]]}""", "offsets", "missing; send an array of examples of shape [3]")]
    [InlineData("""{"features": [[[1, 2], [3]]], "offsets": [[1, 2, 3]]}""", "features[0][1]", "has 1 elements; expected 2")]
    [InlineData("""{"features": [[[1, 2], [3, 4]]], "features": [[[1, 2], [3, 4]]], "offsets": [[1, 2, 3]]}""", "features", "appears twice")]
    public async Task ARecordBatchIsCheckedFieldByField(string json, string field, string problem)
    {
        using var module = new OffsetClassifier();
        await using var server = await Server.StartAsync(module, Loopback);
        await AssertBadRequest(server, json, field, problem);
    }

    [Fact]
    public async Task ABatchWithANumberIsReadAndNeverStacked()
    {
        using var module = new Scaler();
        await using var server = await Server.StartAsync(module, Loopback with { BatchWindow = TimeSpan.FromMilliseconds(200) });
        using var client = new HttpClient { BaseAddress = server.Address };
        var answers = await Task.WhenAll(Enumerable.Range(1, 3).Select(async scale =>
        {
            using var response = await client.PostAsync("predict", Json(new { inputs = new[] { new[] { 1f, 2f, 3f, 4f } }, scale }));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (Scale: scale, Sum: answer.RootElement.GetProperty("sum")[0].GetDouble(), First: answer.RootElement.GetProperty("scaled")[0][0].GetDouble());
        }));

        foreach (var (scale, sum, first) in answers)
        {
            Assert.True(Math.Abs(sum - 10.0 * scale) < 1e-6, $"sum {sum} for scale {scale}");
            Assert.True(Math.Abs(first - scale) < 1e-6, $"scaled[0] {first} for scale {scale}");
        }

        Assert.Equal([1L, 1L, 1L, 1L], module.BatchSizes.ToArray());
        await AssertBadRequest(server, """{"inputs": [[1, 2, 3, 4]], "scale": "2"}""", "scale", "expected a number, got a string");
        await AssertBadRequest(server, """{"inputs": [[1, 2, 3, 4]]}""", "scale", "missing; send a number");
    }

    [Theory]
    [InlineData("{}", "inputs", "missing")]
    [InlineData("""{"inputs": []}""", "inputs", "is empty")]
    [InlineData("""{"inputs": [[1, 2, 3]]}""", "inputs[0]", "has 3 elements; expected 4")]
    [InlineData("""{"inputs": [[1, 2, 3, 4], [1, 2, 3, 4, 5]]}""", "inputs[1]", "has more than 4 elements")]
    [InlineData("""{"inputs": [1, 2, 3, 4]}""", "inputs[0]", "expected an array of 4")]
    [InlineData("""{"inputs": [[1, 2, "three", 4]]}""", "inputs[0][2]", "expected a number, got a string")]
    [InlineData("""{"inputs": [[1, 2, null, 4]]}""", "inputs[0][2]", "expected a number, got null")]
    [InlineData("""{"inputs": [[1, 2, "NaN", 4]]}""", "inputs[0][2]", "is NaN")]
    [InlineData("""{"inputs": [[1, 2, NaN, 4]]}""", "inputs[0][2]", "NaN and Infinity are not JSON numbers")]
    [InlineData("""{"inputs": [[1, 2, 1e300, 4]]}""", "inputs[0][2]", "out of the float32 range")]
    [InlineData("""{"inputs": "1, 2, 3, 4"}""", "inputs", "expected an array of examples")]
    [InlineData("""{"inputs": [[1, 2, 3, 4]], "extra": 1}""", "extra", "unknown field")]
    [InlineData("""[[1, 2, 3, 4]]""", "body", "expected a JSON object")]
    [InlineData("""{"inputs": [[1, 2, 3, 4]""", "inputs[1]", "truncated")]
    public async Task BadInputGets400NamingTheField(string json, string field, string problem)
    {
        using var module = new ServedTinyNet();
        await using var server = await Server.StartAsync(module, Loopback);
        await AssertBadRequest(server, json, field, problem);
    }

    private static async Task AssertBadRequest(RunningServer server, string json, string field, string problem)
    {
        using var client = new HttpClient { BaseAddress = server.Address };
        using var response = await client.PostAsync("predict", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(text);
        Assert.Equal(field, body.RootElement.GetProperty("field").GetString());
        var message = body.RootElement.GetProperty("error").GetString()!;
        Assert.StartsWith(field + ":", message, StringComparison.Ordinal);
        Assert.Contains(problem, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooLargeBodiesGet413AndHealthAndMetricsAnswer()
    {
        using var module = new ServedTinyNet();
        await using var server = await Server.StartAsync(module, Loopback with { MaxRequestBytes = 64 });
        using var client = new HttpClient { BaseAddress = server.Address };
        var large = "{\"inputs\": [" + string.Join(", ", Enumerable.Repeat("[1, 2, 3, 4]", 20)) + "]}";
        using (var response = await client.PostAsync("predict", new StringContent(large, Encoding.UTF8, "application/json")))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
            Assert.Contains("MaxRequestBytes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var response = await client.PostAsync("predict", Json(new { inputs = new[] { new[] { 1f, 2f, 3f, 4f } } })))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal("""{"status":"ok"}""", await client.GetStringAsync("health"));
        var metrics = await client.GetStringAsync("metrics");
        Assert.Contains("volt_requests_total{path=\"/predict\",status=\"413\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("volt_requests_total{path=\"/predict\",status=\"200\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("volt_requests_total{path=\"/health\",status=\"200\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("volt_request_duration_seconds_count 2\n", metrics, StringComparison.Ordinal);
        Assert.Contains("volt_batch_size_bucket{le=\"1\"} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE volt_batch_size histogram\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AShapeTheModelRejectsFailsAtStartNamingTheShapes()
    {
        using var module = new WrongShapeNet();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Server.StartAsync(module, Loopback));
        Assert.Contains("inputs [5]", error.Message, StringComparison.Ordinal);
        Assert.Contains("[ExampleShape]", error.Message, StringComparison.Ordinal);
        using var tiny = new ServedTinyNet();
        var invalid = await Assert.ThrowsAsync<ArgumentException>(() => Server.StartAsync(tiny, Loopback with { QueueCapacity = 0 }));
        Assert.Contains("ServerOptions.QueueCapacity is 0", invalid.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, new long[] { 1, 1, 3 })]
    [InlineData(false, new long[] { 1, 1, 1, 1, 1 })]
    public async Task RequestsWaitingTogetherRunAsOneForwardOnlyWithDynamicBatching(bool batching, long[] batchSizes)
    {
        using var module = new GatedNet();
        await using var server = await Server.StartAsync(module, Loopback with { DynamicBatching = batching });
        using var client = new HttpClient { BaseAddress = server.Address };
        module.Close();
        var first = Predict(client, 1);
        Assert.True(module.WaitUntilHeld());
        var queued = Enumerable.Range(2, 3).Select(i => Predict(client, i)).ToArray();
        await WaitForQueueDepth(server, 3);
        module.Open();
        foreach (var response in await Task.WhenAll([first, .. queued]))
        {
            Assert.Equal(HttpStatusCode.OK, response.Status);
        }

        Assert.Equal(batchSizes, module.BatchSizes);
    }

    [Fact]
    public async Task AFullQueueGets503AndTheAcceptedRequestsAreStillAnswered()
    {
        using var module = new GatedNet();
        await using var server = await Server.StartAsync(module, Loopback with { QueueCapacity = 2 });
        using var client = new HttpClient { BaseAddress = server.Address };
        module.Close();
        var running = Predict(client, 1);
        Assert.True(module.WaitUntilHeld());
        var queued = new[] { Predict(client, 2), Predict(client, 3) };
        await WaitForQueueDepth(server, 2);

        var refused = await Predict(client, 4);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Contains("queue is full", refused.Body, StringComparison.Ordinal);

        module.Open();
        foreach (var response in await Task.WhenAll([running, .. queued]))
        {
            Assert.Equal(HttpStatusCode.OK, response.Status);
        }
    }

    [Fact]
    public async Task ShutdownAnswersEveryAcceptedRequestAndThenRefusesConnections()
    {
        using var module = new GatedNet();
        var server = await Server.StartAsync(module, Loopback);
        using var client = new HttpClient { BaseAddress = server.Address };
        using var expected = ExpectedOutputs(module, 11);
        module.Close();
        var requests = new List<Task<(HttpStatusCode Status, string Body)>> { Predict(client, 0) };
        Assert.True(module.WaitUntilHeld());
        requests.AddRange(Enumerable.Range(1, 10).Select(i => Predict(client, i)));
        await WaitForQueueDepth(server, 10);

        var stopping = server.StopAsync();
        await Task.Delay(200);
        Assert.False(stopping.IsCompleted, "shutdown must wait for the requests in flight");
        module.Open();
        await stopping;

        var responses = await Task.WhenAll(requests);
        for (var i = 0; i < responses.Length; i++)
        {
            Assert.Equal(HttpStatusCode.OK, responses[i].Status);
            AssertOutputs(responses[i].Body, expected[i]);
        }

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("health"));
        await server.DisposeAsync();
    }

    [Fact]
    public async Task ALoopbackLoadTestAnswersThreeThousandRequestsCorrectly()
    {
        const int Requests = 3000;
        const int Clients = 16;
        torch.manual_seed(12);
        using var module = new ServedTinyNet();
        var random = new Random(5);
        var sizes = Enumerable.Range(0, Requests).Select(_ => random.Next(1, 4)).ToArray();
        var total = sizes.Sum();
        using var inputs = torch.randn(total, 4);
        module.eval();
        float[] expected;
        using (no_grad())
        using (var output = module.forward(inputs))
        {
            expected = output.data<float>().ToArray();
        }

        var values = inputs.data<float>().ToArray();
        var starts = new int[Requests];
        for (var i = 1; i < Requests; i++)
        {
            starts[i] = starts[i - 1] + sizes[i - 1];
        }

        await using var server = await Server.StartAsync(module, Loopback);
        using var client = new HttpClient { BaseAddress = server.Address };
        var next = -1;
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            int request;
            while ((request = Interlocked.Increment(ref next)) < Requests)
            {
                var rows = Enumerable.Range(starts[request], sizes[request]).Select(r => values.AsSpan(r * 4, 4).ToArray()).ToArray();
                using var response = await client.PostAsync("predict", Json(new { inputs = rows }));
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"request {request}: {(int)response.StatusCode} {body}");
                    continue;
                }

                using var parsed = JsonDocument.Parse(body);
                var answered = parsed.RootElement.GetProperty("outputs").EnumerateArray().SelectMany(r => r.EnumerateArray()).Select(v => v.GetDouble()).ToArray();
                var want = expected.AsSpan(starts[request] * 3, sizes[request] * 3).ToArray();
                if (answered.Length != want.Length || answered.Zip(want).Any(p => Math.Abs(p.First - p.Second) > 1e-5))
                {
                    failures.Add($"request {request}: {body} instead of [{string.Join(", ", want)}]");
                }
            }
        })));

        Assert.Empty(failures);
        var metrics = await client.GetStringAsync("metrics");
        Assert.Contains($"volt_requests_total{{path=\"/predict\",status=\"200\"}} {Requests}\n", metrics, StringComparison.Ordinal);

        // Every example went through exactly one forward pass.
        Assert.Contains($"volt_batch_size_sum {total}\n", metrics, StringComparison.Ordinal);
    }

    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    /// <summary>POSTs example <paramref name="index"/> (four numbers from the index) and returns status and body.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> Predict(HttpClient client, int index)
    {
        using var response = await client.PostAsync("predict", Json(new { inputs = new[] { Example(index) } }));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static float[] Example(int index) => [index, index / 2f, -index, 1];

    private static Tensor ExpectedOutputs(GatedNet module, int count)
    {
        using var noGrad = no_grad();
        using var inputs = tensor(Enumerable.Range(0, count).SelectMany(Example).ToArray(), [count, 4]);
        return module.forward(inputs);
    }

    private static void AssertOutputs(string body, Tensor expected)
    {
        using var parsed = JsonDocument.Parse(body);
        var answered = parsed.RootElement.GetProperty("outputs")[0].EnumerateArray().Select(v => v.GetDouble()).ToArray();
        TorchWeightsTests.AssertClose(answered, expected.to(ScalarType.Float64).data<double>().ToArray(), 1e-6, "outputs");
    }

    private static async Task WaitForQueueDepth(RunningServer server, long depth)
    {
        for (var i = 0; i < 3000 && server.Metrics.QueueDepth < depth; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(depth, server.Metrics.QueueDepth);
    }
}
