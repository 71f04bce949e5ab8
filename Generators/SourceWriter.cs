using System;
using System.Text;

namespace Volt.Generators;

/// <summary>A small indenting text writer (the shape of dotnet/runtime's SourceWriter).</summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private readonly StringBuilder text = new();
    private int indentation;

    /// <summary>Writes a multi-line template line by line at the current indentation.</summary>
    public void WriteLines(string lines)
    {
        foreach (var line in lines.Split('\n'))
        {
            WriteLine(line.TrimEnd('\r'));
        }
    }

    public void WriteLine(string line)
    {
        if (line.Length > 0)
        {
            for (var i = 0; i < indentation; i++)
            {
                text.Append(IndentUnit);
            }

            text.Append(line);
        }

        text.Append('\n');
    }

    public void WriteLine() => text.Append('\n');

    public void OpenBlock(string header)
    {
        WriteLine(header);
        WriteLine("{");
        indentation++;
    }

    public void OpenBrace()
    {
        WriteLine("{");
        indentation++;
    }

    public void CloseBlock(string suffix = "")
    {
        if (indentation == 0)
        {
            throw new InvalidOperationException("CloseBlock without a matching OpenBlock.");
        }

        indentation--;

        // A member list ends with a blank separator line; the closing brace follows the last member directly.
        if (text.Length >= 2 && text[text.Length - 1] == '\n' && text[text.Length - 2] == '\n')
        {
            text.Length--;
        }

        WriteLine("}" + suffix);
    }

    public override string ToString() => text.ToString();
}
