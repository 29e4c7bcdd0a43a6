using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>
/// The file door as one setup, used by <c>serve</c> and by the tests alike: a welcome door whose
/// handler runs on the thread pool (it opens, stats and reads files, which may block), answering
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
        return WelcomeDoor.Bind(Name, door with { Dispatch = DoorDispatch.ThreadPool, AcceptLogLevel = LogLevel.Debug, Tls = tls }, pipeline: null, handler.OnConnectedAsync, logger, house,
            refuse: Http.HttpRefusal.AnswerAsync);
    }
}
