using System.CommandLine;

namespace Doorway.Cli.Commands;

/// <summary><c>--metrics PORT|off</c>: the Prometheus endpoint; off unless a port is given.</summary>
internal sealed class MetricsDoorFlags : IDoorFlags
{
    private readonly Option<PortOrOff> _port = CommonOptions.OptionalDoorPort("--metrics",
        "Port of the metrics endpoint: GET /metrics answers the Doorway meter in Prometheus text format; 0 picks a free port, 'off' (the default) disables it.");

    public IEnumerable<Option> Options => [_port];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(_port).Port is not int port)
        {
            return null;
        }

        return new DoorPlan(MetricsDoor.Name, port, endPoint => MetricsDoor.Bind(endPoint, context.Loggers),
            Url: hostPort => $"http://{hostPort}/metrics", Details: " (Prometheus text format)");
    }
}
