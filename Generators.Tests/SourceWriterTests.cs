namespace Volt.Generators.Tests;

public sealed class SourceWriterTests
{
    [Fact]
    public void BlockWritesHeaderBracesAndIndentation()
    {
        var writer = new SourceWriter();
        using (writer.Block("if (x)"))
        {
            writer.WriteLine("y();");
            using (writer.Block("return new T", suffix: ";"))
            {
                writer.WriteLine("A = 1,");
            }
        }

        Assert.Equal("if (x)\n{\n    y();\n    return new T\n    {\n        A = 1,\n    };\n}\n", writer.ToString());
    }

    [Fact]
    public void BlockDropsTheBlankLineAfterTheLastMember()
    {
        var writer = new SourceWriter();
        using (writer.Block("class C"))
        {
            writer.WriteLine("int a;");
            writer.WriteLine();
        }

        Assert.Equal("class C\n{\n    int a;\n}\n", writer.ToString());
    }

    /// <summary>A block can only be closed by the code that opened it, innermost first.</summary>
    [Fact]
    public void ClosingAnOuterBlockFirstThrows()
    {
        var writer = new SourceWriter();
        var outer = writer.Block("outer");
        writer.Block("inner");

        var error = Assert.Throws<System.InvalidOperationException>(outer.Dispose);
        Assert.Contains("reverse order", error.Message);
    }
}
