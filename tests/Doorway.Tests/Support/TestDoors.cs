using System.Net;
using Doorway.Capitalize;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Support;

/// <summary>Doors opened in the test process on loopback port 0, on either TCP transport.</summary>
internal static class TestDoors
{
    /// <summary>
    /// The transport a door gets when a test names none: .NET's sockets, or the one in
    /// DOORWAY_TEST_TRANSPORT (sockets|epoll), so any door test can be run on the other one.
    /// </summary>
    public static TcpTransport DefaultTransport { get; } =
        Enum.TryParse<TcpTransport>(Environment.GetEnvironmentVariable("DOORWAY_TEST_TRANSPORT"), ignoreCase: true, out var chosen) ? chosen : TcpTransport.Sockets;

    /// <summary>Every TCP transport this machine runs: a door test made a theory over these runs on each.</summary>
    public static TheoryData<TcpTransport> Transports
    {
        get
        {
            var transports = new TheoryData<TcpTransport> { TcpTransport.Sockets };
            if (OperatingSystem.IsLinux())
            {
                transports.Add(TcpTransport.Epoll);
            }

            return transports;
        }
    }

    /// <summary><paramref name="options"/> on loopback port 0 (or <paramref name="address"/>), on <paramref name="transport"/> (else <see cref="DefaultTransport"/>).</summary>
    public static WelcomeDoorOptions On(WelcomeDoorOptions? options, IPAddress? address = null, TcpTransport? transport = null) =>
        (options ?? WelcomeDoorOptions.Default) with
        {
            EndPoint = new IPEndPoint(address ?? IPAddress.Loopback, 0),
            Transport = transport ?? DefaultTransport,
        };

    public static WelcomeDoor OpenTcp(IConnectionHandler handler, WelcomeDoorOptions? options = null, IPAddress? address = null, TcpTransport? transport = null)
    {
        var door = WelcomeDoor.Bind("tcp", On(options, address, transport), handler, NullLogger.Instance);
        door.Start();
        return door;
    }

    /// <summary>The capitalize door through the same setup as <c>serve</c>.</summary>
    public static WelcomeDoor OpenCapitalize(CapitalizeOptions? capitalize = null, WelcomeDoorOptions? options = null, IPAddress? address = null, House? house = null, TcpTransport? transport = null)
    {
        var door = CapitalizeDoor.Bind(On(options, address, transport), capitalize ?? CapitalizeOptions.Default, NullLogger.Instance, house);
        door.Start();
        return door;
    }
}
