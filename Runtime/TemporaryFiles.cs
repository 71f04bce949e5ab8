using System;
using System.IO;
using System.Text.RegularExpressions;

namespace Volt;

/// <summary>
/// Names of the temporary files Volt writes before renaming them over their target
/// (<c>.&lt;name&gt;.&lt;8 hex digits&gt;.tmp</c> beside the target), and the cleanup of the ones a killed
/// process left behind. A writer holds its temporary file open with <see cref="FileShare.None"/>,
/// which locks it, so cleanup skips files another live writer is still writing.
/// </summary>
internal static partial class TemporaryFiles
{
    /// <summary>A new, unique temporary name beside <paramref name="target"/>.</summary>
    public static string NameFor(string target)
    {
        var fullPath = Path.GetFullPath(target);
        return Path.Combine(Path.GetDirectoryName(fullPath)!, "." + Path.GetFileName(fullPath) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
    }

    /// <summary>
    /// Deletes the temporary files in <paramref name="directory"/> that Volt wrote for targets ending in
    /// <paramref name="targetSuffix"/> (for example <c>.ckpt</c>) and that no process is writing any more.
    /// Other files, and files that cannot be opened exclusively, are left alone.
    /// </summary>
    /// <returns>The number of files deleted.</returns>
    public static int RemoveStray(string directory, string targetSuffix)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var removed = 0;
        foreach (var path in Directory.EnumerateFiles(directory, ".*" + targetSuffix + ".*.tmp"))
        {
            if (!OurName().IsMatch(Path.GetFileName(path)))
            {
                continue;
            }

            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                }

                File.Delete(path);
                removed++;
            }
            catch (IOException)
            {
                // Locked: a live writer owns it.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return removed;
    }

    [GeneratedRegex(@"^\..+\.[0-9a-f]{8}\.tmp$")]
    private static partial Regex OurName();
}
