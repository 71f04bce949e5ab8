using System;
using System.IO;
using System.Text;

namespace Volt;

/// <summary>Writes files so that a reader sees either the old or the new content, never a partial file.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string content)
        => WriteAllBytes(path, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content));

    public static void WriteAllBytes(string path, byte[] bytes)
        => Write(path, stream => stream.Write(bytes));

    /// <summary>Writes <paramref name="path"/> with <paramref name="write"/> into a uniquely named temporary beside it, then renames;
    /// on failure the old file stays and no temporary is left.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var temporary = TemporaryFiles.NameFor(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Deletes a temporary file after a failed write; a file that cannot be deleted is left for <see cref="TemporaryFiles.RemoveStray"/>, so the write's own error is the one reported.</summary>
    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
