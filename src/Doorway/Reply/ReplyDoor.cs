using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Reply;

/// <summary>
/// The reply door as one setup, used by <c>serve</c> and by the tests alike: a welcome door whose
/// handler runs inline on the socket engine's threads (it never blocks).
/// </summary>
public static class ReplyDoor
{
    public const string Name = "reply";

    public static WelcomeDoor Bind(WelcomeDoorOptions door, ReplyOptions options, ILogger logger, House? house = null)
    {
        ArgumentNullException.ThrowIfNull(door);
        var handler = new ReplyConnectionHandler(options, logger);
        // A silent client is answered at the request timeout, so under TLS silence that long means plaintext.
        var tls = door.Tls is { } t ? t with { SilentIsPlaintext = options.RequestTimeout } : null;
        return WelcomeDoor.Bind(Name, door with { Dispatch = DoorDispatch.Inline, Tls = tls }, pipeline: null, handler.OnConnectedAsync, logger, house);
    }
}
