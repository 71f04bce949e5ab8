using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace Volt.Runtime.Tests.Docs;

/// <summary>Reads the C# code blocks of the docs and compares them with code, whatever the indentation.</summary>
internal static class DocCode
{
    /// <summary>The repository's root folder.</summary>
    public static string RepositoryRoot([CallerFilePath] string path = "")
        => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));

    /// <summary>The bodies of the <c>```csharp</c> blocks of <paramref name="doc"/> (a path from the repository root).</summary>
    public static string[] Blocks(string doc)
        => Regex.Matches(File.ReadAllText(Path.Combine(RepositoryRoot(), doc)), "```csharp\n(.*?)```", RegexOptions.Singleline).Select(m => m.Groups[1].Value).ToArray();

    /// <summary>Trimmed lines without XML doc comments, so a block matches however it is indented.</summary>
    public static string Normalize(string code)
        => string.Join('\n', code.Replace("\r", string.Empty, StringComparison.Ordinal).Split('\n').Select(l => l.Trim()).Where(l => !l.StartsWith("///", StringComparison.Ordinal)));
}
