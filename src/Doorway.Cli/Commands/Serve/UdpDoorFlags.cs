using System.CommandLine;
using System.Globalization;
using Doorway.Capitalize;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cli.Commands;

/// <summary>The UDP capitalize door's flags on <c>serve</c>.</summary>
internal sealed class UdpDoorFlags : IDoorFlags
{
    private readonly Option<PortOrOff> _port = CommonOptions.DoorPort("--udp", 12000, "UDP capitalize");

    private readonly Option<int> _receivers = CommonOptions.Count("--udp-receivers", UdpDoorOptions.Default.Receivers, 0,
        "Threads receiving and answering on the UDP door's socket; 0: one when batched (Linux), else one per core (2 to 8).");

    private readonly Option<int> _batch = new("--udp-batch")
    {
        Description = $"Datagrams a UDP receiver takes in one system call and answers together (Linux: recvmmsg/sendmmsg; at most {UdpDoorOptions.MaxBatch}); 1: one at a time.",
        HelpName = "N",
        DefaultValueFactory = _ => UdpDoorOptions.Default.Batch,
        CustomParser = result =>
        {
            string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
            if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value is >= 1 and <= UdpDoorOptions.MaxBatch)
            {
                return value;
            }

            result.AddError($"--udp-batch takes a whole number from 1 to {UdpDoorOptions.MaxBatch}, not '{token}'.");
            return UdpDoorOptions.Default.Batch;
        },
    };

    private readonly Option<int> _replyBudget = CommonOptions.Count("--udp-reply-budget", (int)UdpDoorOptions.Default.ReplyBytesPerSecondPerSource, 0,
        "Reply bytes per second the UDP door sends to one source address, so it cannot amplify traffic to a forged source; 0: unlimited. Loopback is exempt.");

    private readonly Option<int> _replyBurst = CommonOptions.Count("--udp-reply-burst", (int)UdpDoorOptions.Default.ReplyBurstBytesPerSource, 1,
        "Reply bytes one source may draw at once; keep it at least 65527, the largest datagram.");

    public IEnumerable<Option> Options => [_port, _receivers, _batch, _replyBudget, _replyBurst];

    public DoorPlan? Plan(ParseResult parse, ServeContext context)
    {
        if (parse.GetValue(_port).Port is not int port)
        {
            return null;
        }

        var options = UdpDoorOptions.Default with
        {
            Receivers = parse.GetValue(_receivers),
            Batch = parse.GetValue(_batch),
            DrainTimeout = context.DrainTimeout,
            ReplyBytesPerSecondPerSource = parse.GetValue(_replyBudget),
            ReplyBurstBytesPerSource = parse.GetValue(_replyBurst),
        };
        var handler = new UdpCapitalizeHandler();
        var logger = context.Loggers.CreateLogger("Doorway.Udp");
        return new DoorPlan("udp", port, endPoint => UdpDoor.Bind("udp", options with { EndPoint = endPoint }, handler, logger));
    }
}
