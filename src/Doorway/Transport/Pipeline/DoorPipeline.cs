namespace Doorway.Transport;

/// <summary>
/// A door's chain of connection middleware in front of its handler, in the shape of Kestrel's
/// <c>ListenOptions.Use</c>: middleware added first sees the connection first.
/// </summary>
public sealed class DoorPipeline
{
    private readonly List<Func<ConnectionDelegate, ConnectionDelegate>> _middleware = [];

    public DoorPipeline Use(Func<ConnectionDelegate, ConnectionDelegate> middleware)
    {
        ArgumentNullException.ThrowIfNull(middleware);
        _middleware.Add(middleware);
        return this;
    }

    /// <summary>The whole chain ending in <paramref name="handler"/>.</summary>
    public ConnectionDelegate Build(ConnectionDelegate handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var app = handler;
        for (int i = _middleware.Count - 1; i >= 0; i--)
        {
            app = _middleware[i](app);
        }

        return app;
    }

    public ConnectionDelegate Build(IConnectionHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return Build(handler.OnConnectedAsync);
    }
}
