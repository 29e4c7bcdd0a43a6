using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>
/// The file door as one setup, used by <c>serve</c> and by the tests alike: a welcome door whose
/// handler runs on the epoll transport's event loop without TLS and on the thread pool otherwise, answering
/// clients refused by a limit with an HTTP 503 when they speak HTTP. Its requests are logged
/// (the access log), so its connections are logged at Debug.
/// </summary>
public static class FileDoor
{
    public const string Name = "files";

    public static WelcomeDoor Bind(FileConnectionHandler handler, WelcomeDoorOptions door, ILogger logger, House? house = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(door);
        // Under TLS: ALPN http/1.1 (RFC 7301; what curl and browsers ask for first), and a plain HTTP request to a TLS-only door gets a 400.
        var tls = door.Tls is { } t ? t with { ApplicationProtocols = [System.Net.Security.SslApplicationProtocol.Http11], RefusePlaintext = Http.HttpsRequired.AnswerAsync } : null;
        // Plain HTTP on the epoll transport runs inline, on the event loop that read the request, as
        // nginx answers on its worker: the responder opens and reads only what the kernel has cached
        // there, and leaves the loop for what needs the disk (LoopThread). Under TLS the handshake
        // and the record encryption are CPU work the loop's other connections would wait behind, and
        // .NET's socket engine threads are not loops the responder knows: the thread pool.
        var dispatch = tls is null && door.Transport == TcpTransport.Epoll ? DoorDispatch.Inline : DoorDispatch.ThreadPool;
        return WelcomeDoor.Bind(Name, door with { Dispatch = dispatch, AcceptLogLevel = LogLevel.Debug, Tls = tls }, pipeline: null, handler.OnConnectedAsync, logger, house,
            refuse: Http.HttpRefusal.AnswerAsync);
    }
}
