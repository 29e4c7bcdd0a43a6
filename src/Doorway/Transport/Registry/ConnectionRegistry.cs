namespace Doorway.Transport;

/// <summary>
/// Every door's live connections in one place (Garnet's CLIENT LIST): what a status page, a
/// metrics scrape or a test reads. Doors keep their own tables; the registry only knows the doors,
/// so registering costs nothing per connection.
/// </summary>
public sealed class ConnectionRegistry
{
    private readonly Lock _lock = new();
    private readonly List<IConnectionSource> _doors = [];

    internal void Add(IConnectionSource door)
    {
        lock (_lock)
        {
            _doors.Add(door);
        }
    }

    internal void Remove(IConnectionSource door)
    {
        lock (_lock)
        {
            _doors.Remove(door);
        }
    }

    internal IConnectionSource[] Doors()
    {
        lock (_lock)
        {
            return [.. _doors];
        }
    }

    /// <summary>The live connections of every door now, oldest first.</summary>
    public IReadOnlyList<ConnectionInfo> Snapshot()
    {
        var all = new List<ConnectionInfo>();
        foreach (var door in Doors())
        {
            all.AddRange(door.Connections);
        }

        all.Sort((a, b) => a.StartTimestamp.CompareTo(b.StartTimestamp));
        return all;
    }
}

/// <summary>A door as the registry and the meter see it.</summary>
internal interface IConnectionSource
{
    string Name { get; }

    IEnumerable<ConnectionInfo> Connections { get; }

    /// <summary>Bytes received by the door's connections, closed and open.</summary>
    long BytesReceived { get; }

    long BytesSent { get; }
}
