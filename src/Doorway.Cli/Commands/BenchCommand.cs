using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using Doorway.Bench;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>doorway bench tcp|udp|files</c>: the load generator. Drives a door with N connections,
/// checks every reply, and prints throughput and latency percentiles (or one JSON object).
/// </summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Load a door with many connections, check every reply, and report messages/s, MiB/s and latency percentiles.\n\n" +
        "Examples:\n  doorway bench tcp --connections 50 --duration 10\n  doorway bench files --path /hello.txt --json")
    {
        CreateMode(BenchMode.Tcp, "tcp", 12000, "N connections send SIZE bytes of lowercase text each and check the upper-cased reply byte for byte; DEPTH messages in flight per connection.\n\n" +
            "Examples:\n  doorway bench tcp\n  doorway bench tcp --connections 500 --pipeline 8 --size 4096 --duration 30 --json"),
        CreateMode(BenchMode.Udp, "udp", 12000, "N sockets send SIZE-byte datagrams of lowercase text, one in flight each, and check each reply; a reply missing after --timeout counts as lost.\n\n" +
            "Examples:\n  doorway bench udp\n  doorway bench udp --connections 8 --rate 20000 --duration 10"),
        CreateMode(BenchMode.Files, "files", 8080, "N keep-alive HTTP/1.1 connections GET --path and check the status, the Content-Length and the body's length.\n\n" +
            "Examples:\n  doorway bench files --path /hello.txt\n  doorway bench files --server 127.0.0.1:8080 --path /big.bin --size 1048576 --connections 4"),
    };

    private static Command CreateMode(BenchMode mode, string name, int defaultPort, string description)
    {
        var defaults = BenchOptions.Default;
        var server = CommonOptions.Server(defaultPort, $"The {name} door to load.");
        var connections = CommonOptions.Count("--connections", defaults.Connections, 1,
            mode == BenchMode.Udp ? "UDP sockets, each with one datagram in flight." : "Connections driven at once.");
        var size = new Option<int?>("--size")
        {
            Description = mode == BenchMode.Files
                ? "Expected body length in bytes; a response of another length is a mismatch. [default: any length]"
                : $"Bytes per message. [default: {BenchOptions.DefaultSize}]",
            HelpName = "BYTES",
            CustomParser = result => PositiveInt(result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty, "--size", result.AddError),
        };
        var duration = CommonOptions.Seconds("--duration", defaults.Duration.TotalSeconds, "Seconds measured, after the warm-up.");
        var warmup = new Option<TimeSpan?>("--warmup")
        {
            Description = $"Seconds of load before measuring starts (not counted). [default: {defaults.Warmup.TotalSeconds.ToString(CultureInfo.InvariantCulture)}]",
            HelpName = "SECONDS",
            CustomParser = result =>
            {
                string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds is >= 0 and <= 86_400)
                {
                    return TimeSpan.FromSeconds(seconds);
                }

                result.AddError($"--warmup takes a number of seconds from 0 to 86400, not '{token}'.");
                return null;
            },
        };
        var pipeline = CommonOptions.Count("--pipeline", defaults.Pipeline, 1,
            mode == BenchMode.Udp ? "Datagrams in flight per socket (udp: 1 only)." : "Messages in flight per connection; 1 is ping-pong.");
        pipeline.HelpName = "DEPTH";
        var rate = new Option<double?>("--rate")
        {
            Description = "Messages per second over all connections, each sent at its scheduled time; latency counts from that time, so stalls are not hidden. [default: as fast as replies come]",
            HelpName = "MSGS_PER_S",
            CustomParser = result =>
            {
                string token = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) && value > 0)
                {
                    return value;
                }

                result.AddError($"--rate takes a number of messages per second greater than 0, not '{token}'.");
                return null;
            },
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object on stdout instead of the summary." };

        var command = new Command(name, description) { server, connections, size, duration, warmup, pipeline, rate, json };
        Option<SecondsValue>? lossTimeout = null;
        Option<string>? path = null;
        if (mode == BenchMode.Udp)
        {
            lossTimeout = CommonOptions.Seconds("--timeout", defaults.LossTimeout.TotalSeconds, "Seconds to wait for a datagram's reply before it counts as lost.");
            command.Options.Add(lossTimeout);
        }

        Option<string>? transport = null;
        Option<int>? transportLoops = null;
        if (mode == BenchMode.Tcp)
        {
            transport = TransportFlags.CreateTransport();
            transport.Description = "What moves the load's bytes: 'epoll' (Doorway's own Linux event loops) or 'sockets' (.NET's). [default: epoll on Linux, sockets elsewhere]";
            transportLoops = CommonOptions.Count("--transport-loops", 0, 0, "Event loops of the epoll transport; 0: half the cores (the server under test gets the rest).");
            command.Options.Add(transport);
            command.Options.Add(transportLoops);
        }

        if (mode == BenchMode.Files)
        {
            path = new Option<string>("--path")
            {
                Description = "Path each request GETs.",
                HelpName = "PATH",
                DefaultValueFactory = _ => defaults.Path,
            };
            command.Options.Add(path);
        }

        ClientTlsFlags? tls = null;
        if (mode == BenchMode.Tcp)
        {
            tls = new ClientTlsFlags(withSwitch: true);
            foreach (var option in tls.Options)
            {
                command.Options.Add(option);
            }
        }

        command.SetAction(async (parse, _) =>
        {
            Transport.ClientTls? trust = null;
            if (tls is not null)
            {
                if (ClientTlsFlags.BothGiven(parse, tls))
                {
                    return CommandLine.UsageError("give --cacert or --pin, not both.");
                }

                try
                {
                    trust = tls.Resolve(parse);
                }
                catch (CertificateFileException e)
                {
                    return CommandLine.UsageError($"--cacert: {e.Message}");
                }
            }

            var options = defaults with
            {
                Mode = mode,
                Server = parse.GetValue(server),
                Connections = parse.GetValue(connections),
                Size = parse.GetValue(size),
                Duration = parse.GetValue(duration),
                Warmup = parse.GetValue(warmup) ?? defaults.Warmup,
                Pipeline = parse.GetValue(pipeline),
                Rate = parse.GetValue(rate),
                LossTimeout = lossTimeout is null ? defaults.LossTimeout : parse.GetValue(lossTimeout),
                Transport = transport is not null && parse.GetValue(transport) == TransportFlags.Epoll ? Doorway.Transport.TcpTransport.Epoll : Doorway.Transport.TcpTransport.Sockets,
                TransportLoops = transportLoops is null ? 0 : parse.GetValue(transportLoops),
                Path = path is null ? defaults.Path : parse.GetValue(path) ?? defaults.Path,
                Tls = trust,
            };
            if (options.Validate() is string problem)
            {
                return CommandLine.UsageError(problem + ".");
            }

            if (options.Transport == Doorway.Transport.TcpTransport.Epoll && !OperatingSystem.IsLinux())
            {
                return CommandLine.UsageError("--transport epoll runs on Linux only; use --transport sockets.");
            }

            return await RunAsync(options, parse.GetValue(json));
        });
        return command;
    }

    private static async Task<int> RunAsync(BenchOptions options, bool json)
    {
        PreferInlineSocketCompletions();
        using var shutdown = new Shutdown();
        var progress = Console.IsErrorRedirected ? null : new BenchProgressLine();
        BenchResult result;
        try
        {
            result = await LoadGenerator.RunAsync(options, progress is null ? null : progress.Show, shutdown.Token);
        }
        catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("doorway: interrupted while connecting; no result");
            return ExitCodes.Interrupted;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.TooManyOpenSockets)
        {
            // EMFILE here is this process's limit, not the server's: say which knob to turn.
            string limit = DescriptorLimit.Current() is long n ? string.Create(CultureInfo.InvariantCulture, $" (ulimit -n is {n})") : " (ulimit -n)";
            return CommandLine.Fail($"--connections {options.Connections}: this machine ran out of file descriptors for the bench's own sockets{limit}; lower --connections or raise ulimit -n");
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            return ClientTlsFlags.Fail(options.Server, e);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            return CommandLine.Fail($"{options.Server}: {NetworkErrors.Describe(e)}");
        }
        finally
        {
            progress?.Clear();
        }

        bool interrupted = shutdown.Requested;
        if (interrupted && result.Elapsed == TimeSpan.Zero)
        {
            // Nothing was measured: numbers now would be zeros that look like a result.
            await Console.Error.WriteLineAsync("doorway: interrupted during the warm-up; no result");
            return ExitCodes.Interrupted;
        }

        await using var stdout = Console.OpenStandardOutput();
        if (json)
        {
            BenchReport.WriteJson(result, stdout, interrupted);
        }
        else
        {
            await Console.Out.WriteAsync(BenchReport.Summary(result, interrupted));
        }

        if (interrupted)
        {
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"doorway: interrupted after {result.Elapsed.TotalSeconds:0.00} s of the {options.Duration.TotalSeconds:0.###} s to measure; the result is partial"));
            return ExitCodes.Interrupted;
        }

        if (result.Errors > 0 || result.Mismatches > 0)
        {
            var why = new List<string>(2);
            if (result.FirstMismatch is not null)
            {
                why.Add($"first mismatch: {result.FirstMismatch}");
            }

            if (result.FirstError is not null)
            {
                why.Add($"first error: {result.FirstError}");
            }

            return CommandLine.Fail($"{result.Errors} errors, {result.Mismatches} mismatches" +
                (why.Count == 0 ? string.Empty : $" ({string.Join("; ", why)})"));
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// Inline completions (see <see cref="SocketEngine"/>) nearly double what `bench tcp` drives at 50
    /// and 500 connections (docs/benchmarks-bench.md). A load generator on the server's machine takes
    /// half the cores' epoll threads, leaving the rest to the server it measures.
    /// </summary>
    private static void PreferInlineSocketCompletions() =>
        SocketEngine.PreferInlineCompletions(Math.Max(1, Environment.ProcessorCount / 2));

    private static int? PositiveInt(string token, string name, Action<string> addError)
    {
        if (int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= 1)
        {
            return value;
        }

        addError($"{name} takes a whole number of at least 1, not '{token}'.");
        return null;
    }
}
