using System;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Volt.Runtime.Tests.Checkpoints;

/// <summary>Rewrites entries of a checkpoint copy, to simulate corruption and hand-edited files.</summary>
internal static class CheckpointTampering
{
    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> with entry <paramref name="entry"/> changed.</summary>
    /// <param name="rehash">Also record the new content's SHA-256 in the manifest, so only checks other than the hash can catch it.</param>
    public static void ChangeEntry(string source, string target, string entry, Func<byte[], byte[]> change, bool rehash)
    {
        File.Copy(source, target, overwrite: true);
        using var archive = ZipFile.Open(target, ZipArchiveMode.Update);
        var existing = archive.GetEntry(entry) ?? throw new InvalidOperationException($"no entry {entry}");
        byte[] content;
        using (var stream = existing.Open())
        using (var buffer = new MemoryStream())
        {
            stream.CopyTo(buffer);
            content = change(buffer.ToArray());
        }

        existing.Delete();
        using (var stream = archive.CreateEntry(entry, CompressionLevel.NoCompression).Open())
        {
            stream.Write(content);
        }

        if (rehash)
        {
            ChangeManifest(archive, manifest =>
            {
                if (manifest["integrity"]?["entries"] is JsonObject entries)
                {
                    entries[entry] = Convert.ToHexStringLower(SHA256.HashData(content));
                }
            });
        }
    }

    /// <summary>Copies <paramref name="source"/> to <paramref name="target"/> with its manifest edited by <paramref name="edit"/>.</summary>
    public static void ChangeManifest(string source, string target, Action<JsonObject> edit)
    {
        File.Copy(source, target, overwrite: true);
        using var archive = ZipFile.Open(target, ZipArchiveMode.Update);
        ChangeManifest(archive, edit);
    }

    /// <summary>The entry name of the tensor <paramref name="name"/> according to the manifest.</summary>
    public static string TensorEntry(string path, string name)
    {
        using var archive = ZipFile.OpenRead(path);
        using var stream = archive.GetEntry("manifest.json")!.Open();
        var manifest = JsonNode.Parse(stream)!;
        foreach (var tensor in manifest["tensors"]!.AsArray())
        {
            if ((string?)tensor!["name"] == name)
            {
                return (string)tensor["entry"]!;
            }
        }

        throw new InvalidOperationException($"no tensor {name}");
    }

    private static void ChangeManifest(ZipArchive archive, Action<JsonObject> edit)
    {
        var entry = archive.GetEntry("manifest.json")!;
        JsonObject manifest;
        using (var stream = entry.Open())
        {
            manifest = JsonNode.Parse(stream)!.AsObject();
        }

        edit(manifest);
        entry.Delete();
        using var output = archive.CreateEntry("manifest.json").Open();
        using var writer = new System.Text.Json.Utf8JsonWriter(output);
        manifest.WriteTo(writer);
    }
}
