using System.Net;
using System.Net.Sockets;
using Doorway.Transport.Epoll;

namespace Doorway.Transport;

public sealed partial class WelcomeDoor
{
    private void Refuse(Socket socket, long id, IPEndPoint remote, string limit) =>
        Refuse(id, remote, limit,
            () => new SocketConnection(socket, new ConnectionInfo(Name, id, Connection.Normalize(socket.LocalEndPoint), remote), _policy, _options.Dispatch == DoorDispatch.ThreadPool),
            () => CloseGently(socket));

    private void Refuse(AcceptedSocket socket, long id, IPEndPoint remote, string limit) =>
        Refuse(id, remote, limit,
            () => new EpollConnection(socket, new ConnectionInfo(Name, id, socket.LocalEndPoint, remote), _policy, _options.Dispatch == DoorDispatch.ThreadPool, _stopping.Token),
            () => CloseGently(socket.Descriptor));

    /// <summary>
    /// A client past a limit: answered by the door's refusal (an HTTP 503 with Retry-After, say)
    /// when one is set and few are being answered already, else closed at once with a FIN, which
    /// tells it plainly instead of leaving it in the backlog.
    /// </summary>
    private void Refuse(long id, IPEndPoint remote, string limit, Func<DoorConnection> connection, Action closeGently)
    {
        _house.Meter.Rejected(Name, limit);
        _refusalLog.Refused(remote, limit);
        if (_refuse is null || Interlocked.Increment(ref _refusing) > _options.MaxRefusing)
        {
            if (_refuse is not null)
            {
                EndRefusal();
            }

            closeGently();
            return;
        }

        _ = AnswerRefusedAsync(connection, closeGently, id, remote);
    }

    // Never throws; counted by _refusing, which StopAsync waits for (each is bounded by RefusalTimeout).
    private async Task AnswerRefusedAsync(Func<DoorConnection> make, Action closeGently, long id, IPEndPoint remote)
    {
        await Task.Yield();
        DoorConnection connection;
        try
        {
            connection = make();
        }
        catch (Exception e)
        {
            TransportLog.AdmissionFailed(_logger, e, _options.EndPoint);
            closeGently();
            EndRefusal();
            return;
        }

        using var owned = connection;
        using var limit = new CancellationTokenSource(_options.RefusalTimeout);
        using var abort = limit.Token.Register(static c => ((DoorConnection)c!).Close(), connection);
        try
        {
            await _refuseAtAccept!(connection, limit.Token);
        }
        catch (Exception e) when (NetworkErrors.IsNetworkEnd(e))
        {
        }
        catch (Exception e)
        {
            TransportLog.HandlerFailed(_logger, e, id, remote);
        }
        finally
        {
            connection.Close();
            EndRefusal();
        }
    }

    private void EndRefusal()
    {
        if (Interlocked.Decrement(ref _refusing) == 0 && Volatile.Read(ref _draining) == 1)
        {
            _refusalsDone.TrySetResult();
        }
    }

    private static void CloseGently(Socket socket)
    {
        try
        {
            socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }

        socket.Dispose();
    }

    private static void CloseGently(SocketDescriptor socket)
    {
        _ = EpollInterop.shutdown(socket.Fd, EpollInterop.ShutWrite);
        socket.Dispose();
    }
}
