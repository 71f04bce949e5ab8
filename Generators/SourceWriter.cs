using System;
using System.Text;

namespace Volt.Generators;

/// <summary>
/// A small indenting text writer (the shape of dotnet/runtime's SourceWriter). Braces come from
/// <see cref="Block"/>, whose disposal writes the closing brace, so every block is closed by the
/// code that opened it.
/// </summary>
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

    /// <summary>
    /// Writes <paramref name="header"/> (unless null), an opening brace, and indents; disposing the
    /// returned block writes the closing brace followed by <paramref name="suffix"/> (e.g. ";").
    /// </summary>
    public BlockScope Block(string? header = null, string suffix = "")
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        indentation++;
        return new BlockScope(this, indentation, suffix);
    }

    public override string ToString() => text.ToString();

    private void Close(int depth, string suffix)
    {
        if (indentation != depth)
        {
            throw new InvalidOperationException($"A block opened at depth {depth} is closed at depth {indentation}: blocks close in the reverse order they opened.");
        }

        indentation--;

        // A member list ends with a blank separator line; the closing brace follows the last member directly.
        if (text.Length >= 2 && text[text.Length - 1] == '\n' && text[text.Length - 2] == '\n')
        {
            text.Length--;
        }

        WriteLine("}" + suffix);
    }

    /// <summary>An open block; <see cref="Dispose"/> closes it (once).</summary>
    public sealed class BlockScope : IDisposable
    {
        private readonly SourceWriter writer;
        private readonly int depth;
        private readonly string suffix;
        private bool closed;

        internal BlockScope(SourceWriter writer, int depth, string suffix)
        {
            this.writer = writer;
            this.depth = depth;
            this.suffix = suffix;
        }

        public void Dispose()
        {
            if (!closed)
            {
                closed = true;
                writer.Close(depth, suffix);
            }
        }
    }
}
