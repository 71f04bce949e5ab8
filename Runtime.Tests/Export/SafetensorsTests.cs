using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp;
using Volt.Export;
using Volt.Runtime.Tests.Training;
using static TorchSharp.torch;

namespace Volt.Runtime.Tests.Export;

public sealed class SafetensorsTests : IDisposable
{
    private readonly TempRoot root = new();

    public SafetensorsTests() => Directory.CreateDirectory(root.Path);

    public void Dispose() => root.Dispose();

    [Fact]
    public void AFileRoundTripsAndFollowsTheSpecByteForByte()
    {
        using var net = TorchWeightsTests.TrainedTinyNet(seed: 7);
        var path = Path.Combine(root.Path, "tiny.safetensors");
        Safetensors.Save(net, path, new Dictionary<string, string> { ["format"] = "pt" });

        // An independent reader, from the spec: u64 header length, JSON header, tensors tiling the buffer.
        var bytes = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, (8 + headerLength) % 8);
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        Assert.Equal("pt", header.RootElement.GetProperty("__metadata__").GetProperty("format").GetString());
        var buffer = bytes.AsSpan(8 + headerLength);
        long end = 0;
        foreach (var (name, tensor) in net.state_dict())
        {
            var entry = header.RootElement.GetProperty(name);
            Assert.Equal(tensor.dtype == ScalarType.Int64 ? "I64" : "F32", entry.GetProperty("dtype").GetString());
            Assert.Equal(tensor.shape, entry.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()));
            var offsets = entry.GetProperty("data_offsets").EnumerateArray().Select(o => (int)o.GetInt64()).ToArray();
            Assert.Equal(end, offsets[0]);
            Assert.True(buffer[offsets[0]..offsets[1]].SequenceEqual(tensor.contiguous().bytes), name);
            end = offsets[1];
        }

        Assert.Equal(buffer.Length, end);

        using var weights = Safetensors.Read(path, out var metadata);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal(net.state_dict().Keys, weights.Entries.Select(e => e.Name));
        using var copy = new TinyNet();
        weights.LoadInto(copy);
        net.eval();
        copy.eval();
        using var input = TinyNet.Input();
        Assert.True(net.forward(input).allclose(copy.forward(input), rtol: 0, atol: 0));
    }

    [Fact]
    public void FilesAreExchangedWithAPythonReaderAndWriterWrittenFromTheSpec()
    {
        // Debian has no python3-safetensors; this Python reads and writes the format from its spec
        // (struct + json + torch.frombuffer), as an independent implementation.
        using var net = TorchWeightsTests.TrainedTinyNet(seed: 8);
        var fromVolt = Path.Combine(root.Path, "volt.safetensors");
        var fromPython = Path.Combine(root.Path, "python.safetensors");
        Safetensors.Save(net, fromVolt);

        var json = PythonTorch.Run(TinyNet.PythonClass + """
            import json, struct, sys
            DTYPES = {"F32": torch.float32, "I64": torch.int64}
            def read(path):
                with open(path, "rb") as f:
                    data = f.read()
                (n,) = struct.unpack("<Q", data[:8])
                header = json.loads(data[8:8 + n])
                header.pop("__metadata__", None)
                buffer = bytearray(data[8 + n:])
                return {k: torch.frombuffer(buffer[v["data_offsets"][0]:v["data_offsets"][1]], dtype=DTYPES[v["dtype"]]).reshape(v["shape"]).clone() for k, v in header.items()}
            def write(path, tensors):
                header, chunks, offset = {"__metadata__": {"written_by": "python"}}, [], 0
                for k in reversed(list(tensors)):  # another order than Volt's
                    raw = tensors[k].contiguous().numpy().tobytes()
                    header[k] = {"dtype": {torch.float32: "F32", torch.int64: "I64"}[tensors[k].dtype], "shape": list(tensors[k].shape), "data_offsets": [offset, offset + len(raw)]}
                    chunks.append(raw)
                    offset += len(raw)
                text = json.dumps(header).encode()
                text += b" " * (-(8 + len(text)) % 8)
                with open(path, "wb") as f:
                    f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
            x = PYTHON_INPUT
            model = TinyNet()
            model.load_state_dict(read(sys.argv[1]), strict=True)
            model.eval()
            with torch.no_grad():
                volt_out = model(x)
            torch.manual_seed(21)
            other = TinyNet()
            other.train()
            other(torch.randn(16, 4) * 2)
            other.eval()
            with torch.no_grad():
                python_out = other(x)
            write(sys.argv[2], other.state_dict())
            print(json.dumps({"volt": volt_out.double().flatten().tolist(), "python": python_out.double().flatten().tolist()}))
            """.Replace("PYTHON_INPUT", TinyNet.PythonInput, StringComparison.Ordinal), fromVolt, fromPython);

        using var parsed = JsonDocument.Parse(json);
        net.eval();
        using var input = TinyNet.Input();
        using var voltOutput = net.forward(input);
        TorchWeightsTests.AssertClose(voltOutput.to(ScalarType.Float64).data<double>().ToArray(), TorchWeightsTests.Doubles(parsed.RootElement.GetProperty("volt")), 1e-5, "python reading Volt's file");

        using var loaded = new TinyNet();
        Safetensors.Load(loaded, fromPython);
        loaded.eval();
        using var pythonOutput = loaded.forward(input);
        TorchWeightsTests.AssertClose(pythonOutput.to(ScalarType.Float64).data<double>().ToArray(), TorchWeightsTests.Doubles(parsed.RootElement.GetProperty("python")), 1e-5, "Volt reading Python's file");
    }

    [Fact]
    public void MalformedFilesAreRejectedWithTheFileAndTheEntryNamed()
    {
        var huge = Write("huge.safetensors", [.. BitConverter.GetBytes(1UL << 40), .. "{}"u8]);
        Assert.Contains("header length", Reject(huge), StringComparison.Ordinal);

        var notJson = WithHeader("notjson.safetensors", "{not json", []);
        Assert.Contains("not valid JSON", Reject(notJson), StringComparison.Ordinal);

        var badDtype = WithHeader("dtype.safetensors", """{"w":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", new byte[8]);
        Assert.Contains("'w' has dtype 'C64'", Reject(badDtype), StringComparison.Ordinal);

        var wrongSize = WithHeader("size.safetensors", """{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8]);
        Assert.Contains("'w' spans 8 bytes", Reject(wrongSize), StringComparison.Ordinal);

        var overlap = WithHeader("overlap.safetensors", """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", new byte[12]);
        Assert.Contains("'b' starts at byte 4", Reject(overlap), StringComparison.Ordinal);

        var truncated = WithHeader("truncated.safetensors", """{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", new byte[10]);
        Assert.Contains("truncated", Reject(truncated), StringComparison.Ordinal);

        var missingField = WithHeader("field.safetensors", """{"w":{"dtype":"F32","data_offsets":[0,4]}}""", new byte[4]);
        Assert.Contains("'w' needs", Reject(missingField), StringComparison.Ordinal);
    }

    private string Reject(string path)
    {
        var message = Assert.Throws<InvalidDataException>(() => Safetensors.Read(path)).Message;
        Assert.Contains(path, message, StringComparison.Ordinal);
        return message;
    }

    private string WithHeader(string name, string header, byte[] data)
    {
        var text = Encoding.UTF8.GetBytes(header);
        return Write(name, [.. BitConverter.GetBytes((ulong)text.Length), .. text, .. data]);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(root.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
