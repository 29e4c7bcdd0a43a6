using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Capitalize;

/// <summary>
/// The TCP capitalize door as one setup, used by <c>serve</c> and by the tests alike: a welcome
/// door whose handler runs inline on the socket engine's threads (it never blocks).
/// </summary>
public static class CapitalizeDoor
{
    public const string Name = "tcp";

    public static WelcomeDoor Bind(WelcomeDoorOptions door, CapitalizeOptions options, ILogger logger, House? house = null)
    {
        ArgumentNullException.ThrowIfNull(door);
        var handler = new CapitalizeConnectionHandler(options);
        return WelcomeDoor.Bind(Name, door with { Dispatch = DoorDispatch.Inline }, pipeline: null, handler.OnConnectedAsync, logger, house);
    }
}
