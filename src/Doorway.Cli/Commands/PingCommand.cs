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
        // ping(8)'s letters: -c count, -i interval, -W timeout, -s size, -q quiet.
        var count = CommonOptions.Count("--count", PingOptions.Default.Count, 1, "Datagrams to send.");
        count.Aliases.Add("-c");
        var interval = CommonOptions.Seconds("--interval", PingOptions.Default.Interval.TotalSeconds,
            "Seconds from one datagram to the next (longer while a reply is still awaited).");
        interval.Aliases.Add("-i");
        var timeout = CommonOptions.Seconds("--timeout", PingOptions.Default.Timeout.TotalSeconds,
            "Seconds to wait for a reply before the datagram counts as lost.");
        timeout.Aliases.Add("-W");
        var size = CommonOptions.Count("--size", PingOptions.Default.Size, 1,
            $"Bytes per datagram, all of it 'ping SEQ UNIX-MS' and padding; at least that header, at most {UdpDoorOptions.MaxIPv4Payload} over IPv4.");
        size.Aliases.Add("-s");
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print only the first line and the summary." };

        var command = new Command("ping", "Ping the UDP capitalize door: numbered datagrams, each reply's round trip, and ping(8)'s summary.\n\n" +
            "Examples:\n  doorway ping -c 3\n  doorway ping --server [::1]:12000 -c 100 -i 0.01 -q")
        {
            server, count, interval, timeout, size, quiet,
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
            int header = Pinger.HeaderLength(options.Count);
            if (options.Size < header)
            {
                return CommandLine.UsageError($"-s/--size is at least {header} bytes for -c {options.Count} (each datagram carries 'ping SEQ UNIX-MS'), not {options.Size}.");
            }

            try
            {
                using var client = await DatagramClient.OpenAsync(target, shutdown.Token);
                if (options.Size > client.MaxPayload)
                {
                    return CommandLine.UsageError($"--size is at most {client.MaxPayload} to {client.Server}.");
                }

                string peer = client.Server.ToString();
                bool silent = parse.GetValue(quiet);
                Console.WriteLine($"PING {target} ({peer}) {options.Size} bytes of data.");
                var pinger = new Pinger(client, options);
                var summary = await pinger.RunAsync(e =>
                {
                    if (!silent)
                    {
                        Console.WriteLine(Describe(e, peer));
                    }
                }, shutdown.Token);
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
        // ping -O's words for a reply that did not come in time.
        PingEventKind.TimedOut => $"no answer yet for seq={e.Sequence}",
        PingEventKind.Late => $"{e.Bytes} bytes from {peer}: seq={e.Sequence} time={Milliseconds(e.RoundTrip)} ms (late: already counted as lost)",
        PingEventKind.Duplicate => $"{e.Bytes} bytes from {peer}: seq={e.Sequence} time={Milliseconds(e.RoundTrip)} ms (DUP!)",
        _ => $"{e.Bytes} bytes from {peer}: not the upper case of any datagram sent (ignored)",
    };

    private static void PrintSummary(HostPort target, PingSummary s)
    {
        Console.WriteLine();
        Console.WriteLine($"--- {target} ping statistics ---");
        string loss = s.LossPercent.ToString("0.#", CultureInfo.InvariantCulture);
        // ping(8)'s summary, with datagrams for packets (and 1 of them singular).
        Console.WriteLine($"{s.Sent} {(s.Sent == 1 ? "datagram" : "datagrams")} transmitted, {s.Received} received, {loss}% packet loss, time {s.Elapsed.TotalMilliseconds:0}ms");
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
