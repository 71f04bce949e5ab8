using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Volt.Checkpoints;

/// <summary>
/// The checkpoint file format: a ZIP archive (stored, not compressed) holding <c>manifest.json</c>
/// and one raw little-endian file per tensor under <c>tensors/</c>, plus TorchSharp's own optimizer
/// state under <c>optimizers/</c>. Any ZIP tool and JSON reader can inspect it; no .NET object is
/// serialized. See docs/checkpoints.md.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The value of the manifest's <c>format</c> field.</summary>
    public const string FormatName = "volt-checkpoint";

    /// <summary>The newest format version this Volt writes and reads.</summary>
    public const int FormatVersion = 2;

    /// <summary>The manifest property that lists the SHA-256 of every other entry (format version 2 on).</summary>
    internal const string IntegrityProperty = "integrity";

    /// <summary>The hash named in the manifest's integrity table.</summary>
    internal const string IntegrityAlgorithm = "SHA-256";

    /// <summary>The first format version whose manifest has the integrity table.</summary>
    internal const int FirstVersionWithIntegrity = 2;

    /// <summary>The manifest's entry name.</summary>
    public const string ManifestEntry = "manifest.json";

    /// <summary>The file extension of checkpoints.</summary>
    public const string Extension = ".ckpt";

    /// <summary>
    /// Writes a checkpoint atomically: to a temporary file beside <paramref name="path"/>, flushed to
    /// disk, then renamed over it. A failure leaves any previous file at <paramref name="path"/> intact.
    /// </summary>
    /// <param name="path">The checkpoint path.</param>
    /// <param name="writeManifest">Writes the manifest's properties (the object is opened and closed here).</param>
    /// <param name="tensors">Named tensors to store; they are read, not kept.</param>
    /// <param name="blobs">Named opaque entries (for example optimizer state) and their writers.</param>
    /// <exception cref="IOException">The file could not be written; the message names it and the cause.</exception>
    public static void Write(
        string path,
        Action<Utf8JsonWriter> writeManifest,
        IReadOnlyList<(string Name, Tensor Tensor)> tensors,
        IReadOnlyList<(string Entry, Action<Stream> Write)> blobs)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(fullPath)!;
        try
        {
            Directory.CreateDirectory(directory);
            AtomicFile.Write(fullPath, stream =>
            {
                using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
                var entries = new List<(string Name, string Entry, Tensor Tensor)>();
                for (var i = 0; i < tensors.Count; i++)
                {
                    entries.Add((tensors[i].Name, $"tensors/{i}.bin", tensors[i].Tensor));
                }

                // The manifest goes last so it can hold the SHA-256 of every entry written before it.
                var hashes = new List<(string Entry, string Sha256)>();
                foreach (var (_, entry, tensor) in entries)
                {
                    hashes.Add((entry, WriteEntry(archive, entry, output => WriteTensorBytes(tensor, output))));
                }

                foreach (var (entry, write) in blobs)
                {
                    hashes.Add((entry, WriteEntry(archive, entry, write)));
                }

                WriteManifest(archive, writeManifest, entries, hashes);
            });
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Could not write the checkpoint '{fullPath}': {error.Message} Existing checkpoints were left as they were.", error);
        }
    }

    /// <summary>Writes one stored entry and returns the SHA-256 of its bytes (lowercase hex).</summary>
    private static string WriteEntry(ZipArchive archive, string entry, Action<Stream> write)
    {
        using var output = archive.CreateEntry(entry, CompressionLevel.NoCompression).Open();
        using var hash = SHA256.Create();
        using (var hashing = new CryptoStream(output, hash, CryptoStreamMode.Write, leaveOpen: true))
        {
            write(hashing);
        }

        return Convert.ToHexStringLower(hash.Hash!);
    }

    private static void WriteManifest(
        ZipArchive archive,
        Action<Utf8JsonWriter> writeManifest,
        List<(string Name, string Entry, Tensor Tensor)> entries,
        List<(string Entry, string Sha256)> hashes)
    {
        using var output = archive.CreateEntry(ManifestEntry, CompressionLevel.Optimal).Open();
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("format", FormatName);
        writer.WriteNumber("formatVersion", FormatVersion);
        writer.WriteString("voltVersion", VoltVersion.Current);
        writeManifest(writer);
        writer.WriteStartArray("tensors");
        foreach (var (name, entry, tensor) in entries)
        {
            writer.WriteStartObject();
            writer.WriteString("name", name);
            writer.WriteString("dtype", tensor.dtype.ToString());
            writer.WriteStartArray("shape");
            foreach (var size in tensor.shape)
            {
                writer.WriteNumberValue(size);
            }

            writer.WriteEndArray();
            writer.WriteString("entry", entry);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteStartObject(IntegrityProperty);
        writer.WriteString("algorithm", IntegrityAlgorithm);
        writer.WriteStartObject("entries");
        foreach (var (entry, sha256) in hashes)
        {
            writer.WriteString(entry, sha256);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteTensorBytes(Tensor tensor, Stream output)
    {
        using var scope = NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoints are written little-endian; this machine is big-endian.");
        }

        output.Write(cpu.bytes);
    }
}

/// <summary>The Volt version written into checkpoints.</summary>
internal static class VoltVersion
{
    public static string Current { get; } =
        typeof(VoltVersion).Assembly.GetName().Version is { } v ? $"{v.Major}.{v.Minor}.{v.Build}" : "0.0.0";
}

/// <summary>
/// An opened checkpoint: the validated manifest and access to its tensors and entries. Every
/// problem with the file (not a ZIP, truncated, foreign, a newer format, a missing entry) is an
/// <see cref="InvalidDataException"/> whose message names the file.
/// </summary>
public sealed class CheckpointReader : IDisposable
{
    private readonly ZipArchive archive;
    private readonly Dictionary<string, JsonElement> tensorEntries = new(StringComparer.Ordinal);

    private CheckpointReader(string path, ZipArchive archive, JsonDocument manifest)
    {
        Path = path;
        this.archive = archive;
        Manifest = manifest;
    }

    /// <summary>The checkpoint's full path.</summary>
    public string Path { get; }

    /// <summary>The parsed manifest.</summary>
    public JsonDocument Manifest { get; }

    /// <summary>The manifest's root object.</summary>
    public JsonElement Root => Manifest.RootElement;

    /// <summary>Opens and validates <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not a readable Volt checkpoint; the message says why.</exception>
    public static CheckpointReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fullPath = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new IOException($"The checkpoint '{fullPath}' is a directory; pass the path of a {CheckpointFile.Extension} file inside it.");
        }

        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"The checkpoint '{fullPath}' does not exist.", fullPath);
        }

        ZipArchive? archive = null;
        try
        {
            archive = ZipFile.OpenRead(fullPath);
            var manifestEntry = archive.GetEntry(CheckpointFile.ManifestEntry)
                ?? throw Invalid(fullPath, $"it has no {CheckpointFile.ManifestEntry}; it is not a Volt checkpoint");
            JsonDocument manifest;
            using (var stream = manifestEntry.Open())
            {
                manifest = JsonDocument.Parse(stream);
            }

            var reader = new CheckpointReader(fullPath, archive, manifest);
            try
            {
                reader.Validate();
                reader.VerifyIntegrity();
            }
            catch
            {
                manifest.Dispose();
                throw;
            }

            archive = null;
            return reader;
        }
        catch (InvalidDataException error) when (!error.Message.StartsWith("The checkpoint '", StringComparison.Ordinal))
        {
            throw Invalid(fullPath, "it is damaged or truncated (" + error.Message + ")", error);
        }
        catch (JsonException error)
        {
            throw Invalid(fullPath, "its manifest is not valid JSON (" + error.Message + ")", error);
        }
        finally
        {
            archive?.Dispose();
        }
    }

    /// <summary>Reads the tensor stored under <paramref name="name"/> as a new CPU tensor.</summary>
    public Tensor ReadTensor(string name)
    {
        if (!tensorEntries.TryGetValue(name, out var description))
        {
            throw Invalid(Path, $"it has no tensor named '{name}'");
        }

        var dtype = Enum.Parse<ScalarType>(description.GetProperty("dtype").GetString()!);
        var shape = description.GetProperty("shape").EnumerateArray().Select(s => s.GetInt64()).ToArray();
        var entry = OpenEntry(EntryOf(name));
        var tensor = empty(shape, dtype);
        try
        {
            var target = tensor.bytes;
            using var stream = entry.Open();
            var read = 0;
            while (read < target.Length)
            {
                var n = stream.Read(target[read..]);
                if (n == 0)
                {
                    throw Invalid(Path, $"the tensor '{name}' is truncated ({read} of {target.Length} bytes)");
                }

                read += n;
            }

            if (stream.ReadByte() != -1)
            {
                throw Invalid(Path, $"the tensor '{name}' has more bytes than its shape and dtype allow");
            }

            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    /// <summary>The archive entry that holds the tensor <paramref name="name"/>.</summary>
    public string EntryOf(string name)
        => tensorEntries.TryGetValue(name, out var description)
            ? description.GetProperty("entry").GetString()!
            : throw Invalid(Path, $"it has no tensor named '{name}'");

    /// <summary>The names of the stored tensors that start with <paramref name="prefix"/>, in file order.</summary>
    public IEnumerable<string> TensorNames(string prefix) => tensorEntries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Opens an entry by name.</summary>
    public ZipArchiveEntry OpenEntry(string entryName)
        => archive.GetEntry(entryName) ?? throw Invalid(Path, $"the entry '{entryName}' is missing");

    /// <summary>An <see cref="InvalidDataException"/> that names the checkpoint.</summary>
    public static InvalidDataException Invalid(string path, string why, Exception? inner = null)
        => new($"The checkpoint '{path}' cannot be used: {why}.", inner);

    /// <inheritdoc/>
    public void Dispose()
    {
        Manifest.Dispose();
        archive.Dispose();
    }

    private void Validate()
    {
        if (Root.ValueKind != JsonValueKind.Object
            || !Root.TryGetProperty("format", out var format)
            || format.ValueKind != JsonValueKind.String
            || format.GetString() != CheckpointFile.FormatName)
        {
            throw Invalid(Path, $"its manifest does not say \"format\": \"{CheckpointFile.FormatName}\"; it is not a Volt checkpoint");
        }

        if (!Root.TryGetProperty("formatVersion", out var version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number))
        {
            throw Invalid(Path, "its manifest has no formatVersion");
        }

        if (number > CheckpointFile.FormatVersion)
        {
            var writer = Root.TryGetProperty("voltVersion", out var volt) && volt.ValueKind == JsonValueKind.String ? volt.GetString() : "an unknown version";
            throw Invalid(Path, $"it was written by Volt {writer} in format version {number}; this Volt ({VoltVersion.Current}) reads format versions up to {CheckpointFile.FormatVersion}");
        }

        if (!Root.TryGetProperty("tensors", out var tensors) || tensors.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(Path, "its manifest has no tensor list");
        }

        var index = 0;
        foreach (var tensor in tensors.EnumerateArray())
        {
            var field = $"tensors[{index++}]";
            var name = ManifestFields.String(this, tensor, field + ".name");
            if (!Enum.TryParse<ScalarType>(ManifestFields.String(this, tensor, field + ".dtype"), out _))
            {
                throw Invalid(Path, $"the tensor '{name}' has an unknown dtype");
            }

            foreach (var size in ManifestFields.Array(this, tensor, field + ".shape").EnumerateArray())
            {
                if (size.ValueKind != JsonValueKind.Number || !size.TryGetInt64(out var length) || length < 0)
                {
                    throw Invalid(Path, $"its manifest field '{field}.shape' of the tensor '{name}' holds {size.GetRawText()}, not a size");
                }
            }

            ManifestFields.String(this, tensor, field + ".entry");
            tensorEntries[name] = tensor;
        }
    }

    /// <summary>
    /// Checks every entry against the SHA-256 the manifest records for it, and that no entry is
    /// unlisted, before anything is read from the file. Format version 1 predates the hashes.
    /// </summary>
    private void VerifyIntegrity()
    {
        if (Root.GetProperty("formatVersion").GetInt32() < CheckpointFile.FirstVersionWithIntegrity)
        {
            return;
        }

        var integrity = ManifestFields.Object(this, Root, CheckpointFile.IntegrityProperty);
        var algorithm = ManifestFields.String(this, integrity, CheckpointFile.IntegrityProperty + ".algorithm");
        if (algorithm != CheckpointFile.IntegrityAlgorithm)
        {
            throw Invalid(Path, $"its manifest names the integrity algorithm '{algorithm}'; this Volt checks {CheckpointFile.IntegrityAlgorithm}");
        }

        var expected = ManifestFields.Object(this, integrity, CheckpointFile.IntegrityProperty + ".entries");
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in expected.EnumerateObject())
        {
            listed.Add(item.Name);
            var entry = OpenEntry(item.Name);
            string actual;
            using (var stream = entry.Open())
            {
                actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
            }

            if (item.Value.ValueKind != JsonValueKind.String || !string.Equals(actual, item.Value.GetString(), StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid(Path, $"the entry '{item.Name}' is damaged: its {CheckpointFile.IntegrityAlgorithm} does not match the one in the manifest");
            }
        }

        foreach (var entry in archive.Entries)
        {
            if (entry.FullName != CheckpointFile.ManifestEntry && !listed.Contains(entry.FullName))
            {
                throw Invalid(Path, $"the entry '{entry.FullName}' has no {CheckpointFile.IntegrityAlgorithm} in the manifest's integrity table");
            }
        }

        foreach (var name in tensorEntries.Keys)
        {
            if (!listed.Contains(EntryOf(name)))
            {
                throw Invalid(Path, $"the entry '{EntryOf(name)}' of the tensor '{name}' has no {CheckpointFile.IntegrityAlgorithm} in the manifest's integrity table");
            }
        }
    }
}
