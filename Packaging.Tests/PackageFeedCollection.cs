namespace Volt.Packaging.Tests;

/// <summary>The test classes that share one packed feed (packing takes a while).</summary>
[CollectionDefinition(Name)]
public sealed class PackageFeedCollection : ICollectionFixture<PackageFeed>
{
    public const string Name = "package feed";
}
