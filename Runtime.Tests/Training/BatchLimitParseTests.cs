using System;
using System.Globalization;
using System.Threading;

namespace Volt.Runtime.Tests.Training;

/// <summary>BatchLimit reads what users type on a command line or in a configuration file.</summary>
public sealed class BatchLimitParseTests
{
    [Theory]
    [InlineData("100", 100)]
    [InlineData("0", 0)]
    [InlineData(" 7 ", 7)]
    [InlineData("1", 1)]
    public void AWholeNumberIsABatchCount(string text, int count)
    {
        var limit = BatchLimit.Parse(text);
        Assert.Equal(count, limit.Count);
        Assert.Null(limit.Fraction);
    }

    [Theory]
    [InlineData("0.25", 0.25)]
    [InlineData("1.0", 1.0)]
    [InlineData(".5", 0.5)]
    [InlineData("2.5e-1", 0.25)]
    public void ANumberWithADecimalPointOrAnExponentIsAFraction(string text, double fraction)
    {
        var limit = BatchLimit.Parse(text);
        Assert.Null(limit.Count);
        Assert.Equal(fraction, limit.Fraction!.Value, 1e-12);
    }

    [Fact]
    public void OnePointZeroRunsEveryBatch()
    {
        Assert.Equal(BatchLimit.All, BatchLimit.Parse("1.0"));
        Assert.Equal(40, BatchLimit.Parse("1.0").Resolve(40));
        Assert.Equal(10, BatchLimit.Parse("0.25").Resolve(40));
        Assert.Equal(BatchLimit.FractionOfBatches(0.25), BatchLimit.Parse("0.25"));
    }

    [Fact]
    public void ParsingIgnoresTheCurrentCulture()
    {
        var previous = Thread.CurrentThread.CurrentCulture;
        try
        {
            Thread.CurrentThread.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.Equal(0.25, BatchLimit.Parse("0.25").Fraction!.Value, 1e-12);
            Assert.False(BatchLimit.TryParse("0,25", out _));
        }
        finally
        {
            Thread.CurrentThread.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("quarter")]
    [InlineData("25%")]
    [InlineData("0,25")]
    [InlineData("1_000")]
    [InlineData("NaN")]
    [InlineData("Infinity")]
    [InlineData("1e400")]
    [InlineData("99999999999")]
    public void AnythingElseFailsNamingTheTextAndTheTwoForms(string text)
    {
        Assert.False(BatchLimit.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => BatchLimit.Parse(text));
        Assert.Contains($"\"{text}\"", error.Message);
        Assert.Contains("whole batch count such as \"100\"", error.Message);
        Assert.Contains("fraction with a decimal point such as \"0.25\"", error.Message);
    }

    [Fact]
    public void TheRangeIsCheckedByTheTrainerNamingTheOption()
    {
        var error = Assert.Throws<ArgumentException>(() => new Trainer(new TrainerOptions { LimitTrainBatches = BatchLimit.Parse("1.5") }));
        Assert.Contains("LimitTrainBatches is 1.5", error.Message);
        Assert.Throws<ArgumentNullException>(() => BatchLimit.Parse(null!));
    }
}
