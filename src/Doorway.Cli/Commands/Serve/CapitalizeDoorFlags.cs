using System.CommandLine;
using Doorway.Capitalize;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>The TCP capitalize door's flags on <c>serve</c>.</summary>
internal sealed class CapitalizeDoorFlags : IDoorFlags
{
    private readonly Option<PortOrOff> _port = CommonOptions.DoorPort("--tcp", 12000, "TCP capitalize");

    private readonly Option<bool> _once = new("--once")
    {
        Description = "The book's exact TCP behaviour: one read (at most 1024 bytes), one reply, close.",
    };

    public IEnumerable<Option> Options => [_port, _once];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(_port).Port is not int port)
        {
            return null;
        }

        var options = CapitalizeOptions.Default with { Once = parse.GetValue(_once) };
        var logger = context.Loggers.CreateLogger("Doorway.Tcp");
        return new DoorPlan(CapitalizeDoor.Name, port, endPoint => CapitalizeDoor.Bind(context.Tcp with { EndPoint = endPoint }, options, logger, context.House));
    }
}
