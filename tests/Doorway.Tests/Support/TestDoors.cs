using System.Net;
using Doorway.Capitalize;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Support;

/// <summary>Doors opened in the test process on loopback port 0.</summary>
internal static class TestDoors
{
    public static WelcomeDoor OpenTcp(IConnectionHandler handler, WelcomeDoorOptions? options = null, IPAddress? address = null)
    {
        var door = WelcomeDoor.Bind("tcp", (options ?? WelcomeDoorOptions.Default) with
        {
            EndPoint = new IPEndPoint(address ?? IPAddress.Loopback, 0),
        }, handler, NullLogger.Instance);
        door.Start();
        return door;
    }

    /// <summary>The capitalize door through the same setup as <c>serve</c>.</summary>
    public static WelcomeDoor OpenCapitalize(CapitalizeOptions? capitalize = null, WelcomeDoorOptions? options = null, IPAddress? address = null, House? house = null)
    {
        var door = CapitalizeDoor.Bind((options ?? WelcomeDoorOptions.Default) with
        {
            EndPoint = new IPEndPoint(address ?? IPAddress.Loopback, 0),
        }, capitalize ?? CapitalizeOptions.Default, NullLogger.Instance, house);
        door.Start();
        return door;
    }
}
