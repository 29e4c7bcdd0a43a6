using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using Doorway.Capitalize;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>doorway capitalize</c>: the book's TCP client (or, with --udp, its UDP client). With TEXT: one
/// exchange. With a terminal: the book's prompt, line after line. With piped input: over TCP a stream
/// of any size, both ways at once; over UDP one datagram per line.
/// </summary>
internal static class CapitalizeCommand
{
    public const string Prompt = "Input lowercase sentence:";

    private const int DefaultRetries = 3;
    private static readonly TimeSpan TcpTimeout = TimeSpan.FromSeconds(10);

    // A datagram on loopback or a LAN comes back in well under a millisecond; a second is a lost one.
    private static readonly TimeSpan UdpTimeout = TimeSpan.FromSeconds(1);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static Command Create()
    {
        var text = new Argument<string[]>("TEXT")
        {
            Description = "Text to send (words are joined with spaces). Without it: a prompt on a terminal, or stdin streamed.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var server = CommonOptions.Server(12000, "The capitalize door to knock on.");
        var timeout = CommonOptions.OptionalSeconds("--timeout",
            $"Seconds to wait for each reply (TCP: also for the connection). [default: {Seconds(TcpTimeout)} over TCP, {Seconds(UdpTimeout)} with --udp]");
        var udp = new Option<bool>("--udp")
        {
            Description = "Use the UDP capitalize door: each text (or line) is one datagram, answered by one datagram.",
        };
        var retries = CommonOptions.Count("--retries", DefaultRetries, 0,
            "With --udp: times a datagram is sent again when no reply came within the timeout.");

        var tls = new ClientTlsFlags(withSwitch: true);
        var command = new Command("capitalize", "Send text to the capitalize door and print its upper case.\n\n" +
            "Examples:\n" +
            "  doorway capitalize hello straße          one exchange: HELLO STRASSE\n" +
            "  doorway capitalize                       on a terminal: the book's prompt, Ctrl-D or Ctrl-C to end\n" +
            "  doorway capitalize < in.txt > OUT.TXT    a stream of any size\n" +
            "  doorway capitalize --udp --server [::1]:12000 hello\n" +
            "  doorway capitalize --pin F1:BC:...:19 hello  over TLS, trusting serve --tls-self-signed's certificate")
        {
            text, server, timeout, udp, retries,
        };
        foreach (var option in tls.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, _) =>
        {
            if (CommonOptions.FindUnknownOption(parse) is string unknown)
            {
                return CommandLine.UsageError($"unknown option '{unknown}' (to send it as text, put '--' before it).");
            }

            bool overUdp = parse.GetValue(udp);
            if (!overUdp && parse.GetResult(retries) is { Implicit: false })
            {
                return CommandLine.UsageError("--retries applies to --udp only (TCP does its own retransmission).");
            }

            if (ClientTlsFlags.BothGiven(parse, tls))
            {
                return CommandLine.UsageError("give --cacert or --pin, not both.");
            }

            ClientTls? trust;
            try
            {
                trust = tls.Resolve(parse);
            }
            catch (CertificateFileException e)
            {
                return CommandLine.UsageError($"--cacert: {e.Message}");
            }

            if (overUdp && trust is not null)
            {
                return CommandLine.UsageError("TLS runs over TCP; --udp takes no --tls, --cacert or --pin.");
            }

            using var shutdown = new Shutdown();
            var target = parse.GetValue(server);
            var limit = parse.GetValue(timeout) ?? (overUdp ? UdpTimeout : TcpTimeout);
            string[] words = parse.GetValue(text) ?? [];
            if (overUdp)
            {
                return await UdpCapitalize.RunAsync(target, limit, parse.GetValue(retries), words, shutdown.Token);
            }

            try
            {
                using var client = await TcpCapitalizeClient.ConnectAsync(target, limit, shutdown.Token, trust);
                if (words.Length > 0)
                {
                    return await SendTextAsync(client, target, string.Join(' ', words), shutdown.Token);
                }

                if (!Console.IsInputRedirected)
                {
                    return await InteractiveAsync(client, target, shutdown.Token);
                }

                await using var stdin = Console.OpenStandardInput();
                await using var stdout = Console.OpenStandardOutput();
                var (sent, received) = await client.StreamAsync(stdin, stdout, shutdown.Token);
                return sent > 0 && received == 0 ? NoReply(target) : ExitCodes.Success;
            }
            catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
            {
                return CommandLine.Interrupted();
            }
            catch (Exception e) when (LocalFiles.IsLocal(e))
            {
                // Reading stdin or writing stdout failed (a closed pipe, a full disk): this side, not the server.
                return CommandLine.Fail($"standard input or output: {LocalFiles.Describe(e)}");
            }
            catch (System.Security.Authentication.AuthenticationException e)
            {
                return ClientTlsFlags.Fail(target, e);
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                return CommandLine.Fail($"{target}: {NetworkErrors.Describe(e)}");
            }
        });
        return command;
    }

    private static async Task<int> SendTextAsync(TcpCapitalizeClient client, HostPort target, string text, CancellationToken cancellationToken)
    {
        await using var stdout = Console.OpenStandardOutput();
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (await client.SendTextAsync(bytes, stdout, cancellationToken) == 0 && bytes.Length > 0)
        {
            return NoReply(target);
        }

        await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Text went out and the server closed without a byte back: the capitalize door always answers,
    /// so this is another door (the file door takes the text for a file name it does not have).
    /// </summary>
    private static int NoReply(HostPort target) =>
        CommandLine.Fail($"{target}: the server closed the connection without a reply (is it the capitalize door?)");

    // The book's loop: prompt, send, print "From Server: ...", on one connection until end of input.
    private static async Task<int> InteractiveAsync(TcpCapitalizeClient client, HostPort target, CancellationToken cancellationToken)
    {
        while (true)
        {
            Console.Write(Prompt);
            string? line;
            try
            {
                line = await TerminalInput.ReadLineAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The prompt's line is still open: end it, so the shell's prompt starts on a line of its own.
                Console.WriteLine();
                throw;
            }

            if (line is null)
            {
                Console.WriteLine();
                return ExitCodes.Success;
            }

            byte[]? reply = await client.ExchangeLineAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
            if (reply is null)
            {
                return NoReply(target);
            }

            Console.WriteLine($"From Server: {Encoding.UTF8.GetString(reply)}");
        }
    }
}
