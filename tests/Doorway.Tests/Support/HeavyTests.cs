namespace Doorway.Tests.Support;

/// <summary>
/// Tests that load the machine (thousands of connections, seconds of streaming, latency bounds)
/// run alone, after the parallel ones, so they neither disturb nor are disturbed by the rest.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyTests
{
    public const string Name = "heavy";
}
