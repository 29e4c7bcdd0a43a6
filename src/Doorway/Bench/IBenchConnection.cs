namespace Doorway.Bench;

/// <summary>One connection (or UDP socket) of a load, with its own counters.</summary>
internal interface IBenchConnection : IDisposable
{
    ConnectionStats Stats { get; }

    /// <summary>Sends and checks until the run stops and the replies in flight are in.</summary>
    Task RunAsync();

    /// <summary>Closes the socket at once, failing whatever is pending (the drain deadline passed).</summary>
    void Abort();
}
