using System.IO;
using System.Text;

namespace Volt;

/// <summary>Writes files so that a reader sees either the old or the new content, never a partial file.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string content)
    {
        var temporary = TemporaryFiles.NameFor(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                var bytes = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(content);
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
