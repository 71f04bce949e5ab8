using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp;
using Volt.Export;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Export;

public sealed class TorchWeightsTests : IDisposable
{
    private readonly TempRoot root = new();

    public TorchWeightsTests() => Directory.CreateDirectory(root.Path);

    public void Dispose() => root.Dispose();

    [Fact]
    public void APtFileWrittenByVoltIsReadByTorchLoadWeightsOnlyWithTheSameValues()
    {
        using var net = TrainedTinyNet(seed: 11);
        var path = Path.Combine(root.Path, "volt.pt");
        TorchWeights.Save(net, path);

        var json = PythonTorch.Run(TinyNet.PythonClass + $$"""
            import json, sys, collections
            sd = torch.load(sys.argv[1], weights_only=True)
            assert type(sd) is collections.OrderedDict, type(sd)
            model = TinyNet()
            model.load_state_dict(sd, strict=True)
            model.eval()
            with torch.no_grad():
                out = model({{TinyNet.PythonInput}})
            print(json.dumps({
                "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape), "values": v.double().flatten().tolist()} for k, v in sd.items()},
                "output": out.double().flatten().tolist()}))
            """, path);

        using var parsed = JsonDocument.Parse(json);
        var tensors = parsed.RootElement.GetProperty("tensors");
        var expected = net.state_dict();
        Assert.Equal(expected.Keys, tensors.EnumerateObject().Select(p => p.Name));
        foreach (var (name, tensor) in expected)
        {
            var stored = tensors.GetProperty(name);
            Assert.Equal(tensor.dtype == ScalarType.Int64 ? "torch.int64" : "torch.float32", stored.GetProperty("dtype").GetString());
            Assert.Equal(tensor.shape, stored.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()));
            AssertClose(tensor.to(ScalarType.Float64).data<double>().ToArray(), Doubles(stored.GetProperty("values")), 0, name);
        }

        net.eval();
        using var input = TinyNet.Input();
        using var output = net.forward(input);
        AssertClose(output.to(ScalarType.Float64).data<double>().ToArray(), Doubles(parsed.RootElement.GetProperty("output")), 1e-5, "output");
    }

    [Fact]
    public void AStateDictSavedByPyTorchLoadsIntoVoltAndGivesTheSameOutputs()
    {
        var path = Path.Combine(root.Path, "torch.pt");
        var json = PythonTorch.Run(TinyNet.PythonClass + $$"""
            import json, sys
            torch.manual_seed(3)
            model = TinyNet()
            model.train()
            for _ in range(3):
                model(torch.randn(16, 4) * 3)
            # A non-contiguous parameter: its storage is stored transposed, with strides (1, 8).
            model.hidden.weight.data = torch.randn(4, 8).t()
            model.eval()
            with torch.no_grad():
                out = model({{TinyNet.PythonInput}})
            torch.save(model.state_dict(), sys.argv[1])
            print(json.dumps(out.double().flatten().tolist()))
            """, path);

        torch.manual_seed(99);
        using var net = new TinyNet();
        net.eval();
        using var input = TinyNet.Input();
        using var before = net.forward(input);
        TorchWeights.Load(net, path);
        using var after = net.forward(input);

        using var parsed = JsonDocument.Parse(json);
        var expected = Doubles(parsed.RootElement);
        AssertClose(after.to(ScalarType.Float64).data<double>().ToArray(), expected, 1e-5, "output");
        Assert.True(before.to(ScalarType.Float64).data<double>().ToArray().Zip(expected).Any(p => Math.Abs(p.First - p.Second) > 1e-3), "the outputs before loading should differ");
    }

    [Fact]
    public void APtFileRoundTripsThroughVoltWithNamesShapesAndValues()
    {
        using var net = TrainedTinyNet(seed: 5);
        var path = Path.Combine(root.Path, "round.pt");
        TorchWeights.Save(net, path);

        using var weights = TorchWeights.Read(path);
        var expected = net.state_dict();
        Assert.Equal(expected.Keys, weights.Entries.Select(e => e.Name));
        foreach (var (name, tensor) in expected)
        {
            Assert.Equal(tensor.dtype, weights[name].dtype);
            Assert.True(tensor.eq(weights[name]).all().item<bool>(), name);
        }

        Assert.Contains(".pt", Assert.Throws<System.Collections.Generic.KeyNotFoundException>(() => weights["nope"]).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatDoesNotFitTheModuleNamesTheParameterAndTheFile()
    {
        using var net = TrainedTinyNet(seed: 1);
        var path = Path.Combine(root.Path, "tiny.pt");
        TorchWeights.Save(net, path);

        using var wider = new TinyNet(hiddenSize: 16);
        var shape = Assert.Throws<InvalidDataException>(() => TorchWeights.Load(wider, path)).Message;
        Assert.Contains(path, shape, StringComparison.Ordinal);
        Assert.Contains("'hidden.weight' has shape [8, 4] in the file but [16, 4]", shape, StringComparison.Ordinal);

        using var linear = nn.Linear(4, 8);
        var missing = Assert.Throws<InvalidDataException>(() => TorchWeights.Load(linear, path)).Message;
        Assert.Contains("no tensor for the parameter 'weight'", missing, StringComparison.Ordinal);

        using var doubled = new TinyNet();
        doubled.to(ScalarType.Float64);
        var dtype = Assert.Throws<InvalidDataException>(() => TorchWeights.Load(doubled, path)).Message;
        Assert.Contains("'hidden.weight' has dtype Float32 in the file but Float64", dtype, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedAndForeignPtFilesAreRejectedByFileAndEntry()
    {
        using var net = TrainedTinyNet(seed: 2);
        var good = Path.Combine(root.Path, "good.pt");
        TorchWeights.Save(net, good);

        var garbage = Write("garbage.pt", Encoding.ASCII.GetBytes("this is not a zip archive"));
        Assert.Contains(garbage, Assert.Throws<InvalidDataException>(() => TorchWeights.Read(garbage)).Message, StringComparison.Ordinal);

        var bytes = File.ReadAllBytes(good);
        var truncated = Write("truncated.pt", bytes[..(bytes.Length / 2)]);
        Assert.Contains(truncated, Assert.Throws<InvalidDataException>(() => TorchWeights.Read(truncated)).Message, StringComparison.Ordinal);

        // A pickle that calls os.system, as a malicious file would: refused by name, nothing runs.
        byte[] evil = [0x80, 2, .. "cos\nsystem\n("u8, (byte)'X', 4, 0, 0, 0, .. "echo"u8, (byte)'t', (byte)'R', (byte)'.'];
        var foreign = Zip("evil.pt", ("archive/data.pkl", evil), ("archive/version", "3\n"u8.ToArray()));
        var message = Assert.Throws<InvalidDataException>(() => TorchWeights.Read(foreign)).Message;
        Assert.Contains(foreign, message, StringComparison.Ordinal);
        Assert.Contains("archive/data.pkl", message, StringComparison.Ordinal);
        Assert.Contains("os.system", message, StringComparison.Ordinal);

        // The same archive without one storage record.
        using (var archive = ZipFile.OpenRead(good))
        {
            var entries = archive.Entries.Where(e => e.FullName != "archive/data/1")
                .Select(e => (e.FullName, ReadAll(e))).ToArray();
            var missing = Zip("missing.pt", entries);
            var missingMessage = Assert.Throws<InvalidDataException>(() => TorchWeights.Read(missing)).Message;
            Assert.Contains("'archive/data/1' is missing", missingMessage, StringComparison.Ordinal);
        }

        Assert.Throws<FileNotFoundException>(() => TorchWeights.Read(Path.Combine(root.Path, "absent.pt")));
    }

    /// <summary>A seeded TinyNet whose BatchNorm buffers moved away from their initial values.</summary>
    internal static TinyNet TrainedTinyNet(long seed)
    {
        torch.manual_seed(seed);
        var net = new TinyNet();
        net.train();
        using (var batch = torch.randn(16, 4).mul(3))
        using (net.forward(batch))
        {
        }

        return net;
    }

    internal static double[] Doubles(JsonElement array) => array.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    internal static void AssertClose(double[] actual, double[] expected, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= tolerance, $"{what}[{i}]: {actual[i]} vs {expected[i]}");
        }
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(root.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Zip(string name, params (string Entry, byte[] Bytes)[] entries)
    {
        var path = Path.Combine(root.Path, name);
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        foreach (var (entry, content) in entries)
        {
            using var stream = archive.CreateEntry(entry, CompressionLevel.NoCompression).Open();
            stream.Write(content);
        }

        return path;
    }

    private static byte[] ReadAll(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
