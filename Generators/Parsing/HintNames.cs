using System.Text;

namespace Volt.Generators.Parsing;

/// <summary>
/// Hint names (the generated files' names) from type names: only letters, digits and <c>._+`-</c>
/// (other characters become <c>_</c> and their hexadecimal code), and at most <see cref="MaxLength"/> characters so EmitCompilerGeneratedFiles can write
/// them (a longer name keeps its start and gets a hash of the whole name).
/// </summary>
internal static class HintNames
{
    /// <summary>The longest hint name, ".g.cs" included.</summary>
    public const int MaxLength = 120;

    private const string Suffix = ".g.cs";

    /// <summary>The hint name for a type's metadata name, e.g. "Samples.Outer+Classifier`1".</summary>
    public static string Create(string metadataName)
    {
        var text = new StringBuilder(metadataName.Length);
        foreach (var c in metadataName)
        {
            // Anything else (an identifier may hold connecting punctuation such as '‿') becomes its code, so two names stay two files.
            if (char.IsLetterOrDigit(c) || c is '.' or '_' or '+' or '`' or '-')
            {
                text.Append(c);
            }
            else
            {
                text.Append('_').Append(((int)c).ToString("X4"));
            }
        }

        var name = text.ToString();
        if (name.Length + Suffix.Length <= MaxLength)
        {
            return name + Suffix;
        }

        var hash = "." + StableHash(metadataName).ToString("x8");
        return name.Substring(0, MaxLength - Suffix.Length - hash.Length) + hash + Suffix;
    }

    /// <summary>FNV-1a: the same on every machine and run, unlike string.GetHashCode.</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * 16777619u);
        }

        return hash;
    }
}
