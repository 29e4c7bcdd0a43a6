using System.CommandLine;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>--proxy-protocol CIDR[,CIDR…]</c> and its limits: the PROXY protocol middleware that every TCP
/// door gets through <see cref="ServeContext"/>'s TCP options, so no door sets it up itself.
/// </summary>
internal sealed class ProxyProtocolFlags
{
    private readonly Option<System.Net.IPNetwork[]?> _networks = CommonOptions.Networks("--proxy-protocol",
        "Load balancers (CIDR[,CIDR...], or single addresses) whose connections must start with a PROXY protocol header (HAProxy's v1 or v2); "
            + "the client it names is the one logged, limited and listed. From any other address a header is refused. [default: off]");

    private readonly Option<SecondsValue> _timeout = CommonOptions.Seconds("--proxy-protocol-timeout", ProxyProtocolOptions.Default.HeaderTimeout.TotalSeconds,
        "Seconds a balancer's connection gets to send its whole PROXY header; slower, or malformed, is closed.");

    private readonly Option<int> _maxHeader = CommonOptions.Count("--proxy-protocol-max-header", ProxyProtocolOptions.Default.MaxHeaderBytes, 107,
        "Largest PROXY v2 header taken, in bytes (TLVs included); a longer one is refused unread.");

    public IEnumerable<Option> Options => [_networks, _timeout, _maxHeader];

    /// <summary>Adds the middleware to <paramref name="pipeline"/> when --proxy-protocol was given.</summary>
    public void Use(DoorPipeline pipeline, ParseResult parse, ILoggerFactory loggers)
    {
        if (parse.GetValue(_networks) is not { Length: > 0 } networks)
        {
            return;
        }

        var options = ProxyProtocolOptions.Default with
        {
            TrustedNetworks = networks,
            HeaderTimeout = parse.GetValue(_timeout),
            MaxHeaderBytes = parse.GetValue(_maxHeader),
        };
        pipeline.Use(ProxyProtocol.Middleware(options, loggers.CreateLogger("Doorway.ProxyProtocol")));
    }
}
