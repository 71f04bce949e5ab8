using Volt.Generators.Parsing;

namespace Volt.Generators.Tests;

public sealed class HintNameTests
{
    [Fact]
    public void PlainNamesAreKept()
        => Assert.Equal("Samples.Outer+Classifier`1.g.cs", HintNames.Create("Samples.Outer+Classifier`1"));

    [Fact]
    public void OtherCharactersBecomeTheirCodeSoDistinctNamesStayDistinct()
    {
        var connected = HintNames.Create("App.B\u203FC");
        Assert.Equal("App.B_203FC.g.cs", connected);
        Assert.NotEqual(HintNames.Create("App.B_C"), connected);
    }

    [Fact]
    public void LongNamesAreShortenedWithAHashOfTheWholeName()
    {
        var prefix = new string('a', 200);
        var first = HintNames.Create(prefix + ".First");
        var second = HintNames.Create(prefix + ".Second");
        Assert.Equal(HintNames.MaxLength, first.Length);
        Assert.EndsWith(".g.cs", first);
        Assert.NotEqual(first, second);
        Assert.Equal(first, HintNames.Create(prefix + ".First"));
    }
}
