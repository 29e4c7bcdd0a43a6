namespace Doorway.Transport;

public sealed partial class WelcomeDoor
{
    /// <summary>
    /// The per-address limit as the step after every middleware: it counts the client's address as
    /// the middleware left it (the client a PROXY header names, not the balancer every connection
    /// comes from), and gives the slot back when the connection ends.
    /// </summary>
    private ConnectionDelegate LimitPerAddress(ConnectionDelegate next) => (connection, stopping) =>
    {
        var address = connection.RemoteEndPoint.Address;
        if (!CountsPerAddress(address))
        {
            return next(connection, stopping);
        }

        return TakeAddress(address) ? ServeCountedAsync(connection, stopping, next, address) : RefuseServedAsync(connection);
    };

    private async Task ServeCountedAsync(Connection connection, CancellationToken stopping, ConnectionDelegate next, System.Net.IPAddress address)
    {
        try
        {
            await next(connection, stopping);
        }
        finally
        {
            ReleaseAddress(address);
        }
    }

    private bool TakeAddress(System.Net.IPAddress address)
    {
        lock (_perAddress)
        {
            _perAddress.TryGetValue(address, out int open);
            if (open >= _options.MaxConnectionsPerAddress)
            {
                return false;
            }

            _perAddress[address] = open + 1;
            return true;
        }
    }

    /// <summary>
    /// A client over its address's limit, found after the middleware: answered by the door's refusal
    /// (a 503) within the refusal timeout when few are being answered, else closed (by the door, with a FIN).
    /// </summary>
    private async Task RefuseServedAsync(Connection connection)
    {
        _house.Meter.Rejected(Name, RefusalLog.PerAddress);
        _refusalLog.Refused(connection.RemoteEndPoint, RefusalLog.PerAddress);
        if (_refuse is null)
        {
            return;
        }

        try
        {
            if (Interlocked.Increment(ref _refusing) > _options.MaxRefusing)
            {
                return;
            }

            using var limit = new CancellationTokenSource(_options.RefusalTimeout);
            using var abort = limit.Token.Register(static c => ((Connection)c!).Abort(), connection);
            await _refuse(connection, limit.Token);
        }
        finally
        {
            EndRefusal();
        }
    }
}
