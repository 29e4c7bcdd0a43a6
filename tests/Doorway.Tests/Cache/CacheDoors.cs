using System.Net;
using Doorway.Cache;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Cache;

/// <summary>The cache door on 127.0.0.1:0 through the same setup as <c>serve</c>.</summary>
internal static class CacheDoors
{
    public static WelcomeDoor Open(CacheOptions? options, out CacheResponder responder, House? house = null)
    {
        var door = CacheDoor.Bind(options ?? CacheOptions.Default, WelcomeDoorOptions.Default with { EndPoint = new IPEndPoint(IPAddress.Loopback, 0) },
            NullLogger.Instance, house, out responder);
        door.Start();
        return door;
    }

    public static string Proxy(WelcomeDoor door) => $"http://127.0.0.1:{door.LocalEndPoint.Port}";
}
