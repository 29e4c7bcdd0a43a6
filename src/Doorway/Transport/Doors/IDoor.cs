using System.Net;

namespace Doorway.Transport;

/// <summary>A door the server keeps open: a TCP welcome door or a UDP door.</summary>
public interface IDoor : IAsyncDisposable
{
    /// <summary>The door's name in logs and in its ready line ("tcp", "udp", "files").</summary>
    string Name { get; }

    /// <summary>The bound address and the real port.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>Starts serving; returns at once.</summary>
    void Start();

    /// <summary>Stops taking new work, lets work in progress finish within the door's drain timeout, and closes.</summary>
    Task StopAsync(CancellationToken cancellationToken = default);
}
