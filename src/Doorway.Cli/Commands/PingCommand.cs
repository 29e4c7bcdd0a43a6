using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Doorway.Ping;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>doorway ping</c>: the book's UDP pinger against the UDP capitalize door. One line per datagram,
/// then ping(8)'s summary. Exit 0 when any reply came, 1 when none did.
/// </summary>
internal static class PingCommand
{
    public static Command Create()
    {
        var server = CommonOptions.Server(12000, "The UDP capitalize door to ping.");
        var count = CommonOptions.Count("--count", PingOptions.Default.Count, 1, "Datagrams to send.");
        var interval = CommonOptions.Seconds("--interval", PingOptions.Default.Interval.TotalSeconds,
            "Seconds from one datagram to the next (longer while a reply is still awaited).");
        var timeout = CommonOptions.Seconds("--timeout", PingOptions.Default.Timeout.TotalSeconds,
            "Seconds to wait for a reply before the datagram counts as lost.");
        var size = CommonOptions.Count("--size", PingOptions.Default.Size, 1,
            $"Bytes per datagram (at least the 'ping SEQ TIMESTAMP' header is sent; at most {UdpDoorOptions.MaxIPv4Payload} over IPv4).");

        var command = new Command("ping", "Ping the UDP capitalize door: numbered datagrams, each reply's round trip, and a summary.")
        {
            server, count, interval, timeout, size,
        };

        command.SetAction(async parse =>
        {
            using var shutdown = new Shutdown();
            var target = parse.GetValue(server);
            var options = new PingOptions
            {
                Count = parse.GetValue(count),
                Interval = parse.GetValue(interval),
                Timeout = parse.GetValue(timeout),
                Size = parse.GetValue(size),
            };
            try
            {
                using var client = await DatagramClient.OpenAsync(target, shutdown.Token);
                if (options.Size > client.MaxPayload)
                {
                    return CommandLine.UsageError($"--size is at most {client.MaxPayload} to {client.Server}.");
                }

                string peer = client.Server.ToString();
                Console.WriteLine($"PING {target} ({peer}): {options.Count} datagrams of {options.Size} bytes");
                var pinger = new Pinger(client, options);
                var summary = await pinger.RunAsync(e => Console.WriteLine(Describe(e, peer)), shutdown.Token);
                PrintSummary(target, summary);
                if (shutdown.Requested)
                {
                    // ping(8) prints its summary on Ctrl-C too; the exit code still says it was cut short.
                    return CommandLine.Interrupted($"{summary.Sent} of {options.Count} datagrams sent");
                }

                return summary.Received > 0 ? ExitCodes.Success : ExitCodes.Failure;
            }
            catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
            {
                return CommandLine.Interrupted();
            }
            catch (SocketException e)
            {
                return CommandLine.Fail($"{target}: {NetworkErrors.Describe(e)}");
            }
        });
        return command;
    }

    internal static string Describe(PingEvent e, string peer) => e.Kind switch
    {
        PingEventKind.Reply => $"{e.Bytes} bytes from {peer}: seq={e.Sequence} time={Milliseconds(e.RoundTrip)} ms",
        PingEventKind.TimedOut => $"Request timed out (seq={e.Sequence})",
        PingEventKind.Late => $"{e.Bytes} bytes from {peer}: seq={e.Sequence} time={Milliseconds(e.RoundTrip)} ms (late: already counted as lost)",
        PingEventKind.Duplicate => $"{e.Bytes} bytes from {peer}: seq={e.Sequence} time={Milliseconds(e.RoundTrip)} ms (DUP!)",
        _ => $"{e.Bytes} bytes from {peer}: not the upper case of any datagram sent (ignored)",
    };

    private static void PrintSummary(HostPort target, PingSummary s)
    {
        Console.WriteLine();
        Console.WriteLine($"--- {target} ping statistics ---");
        string loss = s.LossPercent.ToString("0.#", CultureInfo.InvariantCulture);
        Console.WriteLine($"{s.Sent} datagrams transmitted, {s.Received} received, {loss}% loss, time {s.Elapsed.TotalMilliseconds:0} ms");
        var extras = new List<string>();
        if (s.Late > 0)
        {
            extras.Add($"{s.Late} late");
        }

        if (s.Duplicates > 0)
        {
            extras.Add($"{s.Duplicates} duplicates");
        }

        if (s.Mismatched > 0)
        {
            extras.Add($"{s.Mismatched} mismatched");
        }

        if (s.Strays > 0)
        {
            extras.Add($"{s.Strays} from other addresses");
        }

        if (extras.Count > 0)
        {
            Console.WriteLine($"also received: {string.Join(", ", extras)}");
        }

        if (s.Received > 0)
        {
            Console.WriteLine($"rtt min/avg/max/mdev = {Milliseconds(s.Min)}/{Milliseconds(s.Average)}/{Milliseconds(s.Max)}/{Milliseconds(s.Deviation)} ms");
        }
    }

    private static string Milliseconds(TimeSpan span) => span.TotalMilliseconds.ToString("0.000", CultureInfo.InvariantCulture);
}
