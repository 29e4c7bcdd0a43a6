using System.CommandLine;
using Doorway.Capitalize;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>The UDP capitalize door's flags on <c>serve</c>.</summary>
internal sealed class UdpDoorFlags : IDoorFlags
{
    private readonly Option<PortOrOff> _port = CommonOptions.DoorPort("--udp", 12000, "UDP capitalize");

    private readonly Option<int> _receivers = CommonOptions.Count("--udp-receivers", UdpDoorOptions.Default.Receivers, 1,
        "Datagrams the UDP door receives and answers at once (one thread each).");

    public IEnumerable<Option> Options => [_port, _receivers];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(_port).Port is not int port)
        {
            return null;
        }

        var options = UdpDoorOptions.Default with
        {
            Receivers = parse.GetValue(_receivers),
            DrainTimeout = context.DrainTimeout,
        };
        var handler = new UdpCapitalizeHandler();
        var logger = context.Loggers.CreateLogger("Doorway.Udp");
        return new DoorPlan("udp", port, endPoint => UdpDoor.Bind("udp", options with { EndPoint = endPoint }, handler, logger));
    }
}
