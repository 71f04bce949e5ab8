using System;
using System.Globalization;
using System.IO;

namespace Volt;

/// <summary>
/// Allocates <c>&lt;root&gt;/runs/&lt;name&gt;/version_N</c> for a trainer: N is one more than the highest
/// existing version, claimed with an exclusive marker file so two trainers never share a directory.
/// </summary>
public static class RunDirectory
{
    /// <summary>The marker file that claims a version directory for one trainer.</summary>
    internal const string MarkerFile = ".volt-run";

    /// <summary>Creates and returns a fresh version directory.</summary>
    /// <param name="root">The root folder (<see cref="TrainerOptions.DefaultRootDir"/>).</param>
    /// <param name="name">The run name.</param>
    /// <returns>The full path of the new directory.</returns>
    public static string Create(string root, string name)
    {
        var parent = Path.GetFullPath(Path.Combine(root, "runs", name));
        Directory.CreateDirectory(parent);
        var next = NextVersion(parent);
        while (true)
        {
            var candidate = Path.Combine(parent, "version_" + next.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(candidate);
            try
            {
                using var marker = new FileStream(Path.Combine(candidate, MarkerFile), FileMode.CreateNew, FileAccess.Write);
                return candidate;
            }
            catch (IOException) when (File.Exists(Path.Combine(candidate, MarkerFile)))
            {
                next++;
            }
        }
    }

    private static int NextVersion(string parent)
    {
        var highest = -1;
        foreach (var directory in Directory.EnumerateDirectories(parent, "version_*"))
        {
            var suffix = Path.GetFileName(directory).AsSpan("version_".Length);
            if (int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                highest = Math.Max(highest, version);
            }
        }

        return highest + 1;
    }
}
