using System.Net;
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
}
