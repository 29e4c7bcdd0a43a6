using System.CommandLine;
using System.Net.Sockets;
using System.Text;
using Doorway.Capitalize;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>doorway capitalize</c>: the book's TCP client. With TEXT: one exchange. With a terminal: the
/// book's prompt, line after line. With piped input: a stream of any size, both ways at once.
/// </summary>
internal static class CapitalizeCommand
{
    public const string Prompt = "Input lowercase sentence:";

    public static Command Create()
    {
        var text = new Argument<string[]>("TEXT")
        {
            Description = "Text to send (words are joined with spaces). Without it: a prompt on a terminal, or stdin streamed.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var server = CommonOptions.Server(12000, "The capitalize door to knock on.");
        var timeout = CommonOptions.Seconds("--timeout", 10, "Seconds to wait for the connection and for each reply.");

        var command = new Command("capitalize", "Send text to the capitalize door and print its upper case.")
        {
            text, server, timeout,
        };

        command.SetAction(async (parse, _) =>
        {
            if (CommonOptions.FindUnknownOption(parse) is string unknown)
            {
                return CommandLine.UsageError($"unknown option '{unknown}' (to send it as text, put '--' before it).");
            }

            using var shutdown = new Shutdown();
            var target = parse.GetValue(server);
            var limit = parse.GetValue(timeout);
            string[] words = parse.GetValue(text) ?? [];
            try
            {
                using var client = await TcpCapitalizeClient.ConnectAsync(target, limit, shutdown.Token);
                if (words.Length > 0)
                {
                    return await SendTextAsync(client, string.Join(' ', words), shutdown.Token);
                }

                if (!Console.IsInputRedirected)
                {
                    return await InteractiveAsync(client, shutdown.Token);
                }

                await using var stdin = Console.OpenStandardInput();
                await using var stdout = Console.OpenStandardOutput();
                await client.StreamAsync(stdin, stdout, shutdown.Token);
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
            {
                return CommandLine.Fail("interrupted");
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                return CommandLine.Fail($"{target}: {NetworkErrors.Describe(e)}");
            }
        });
        return command;
    }

    private static async Task<int> SendTextAsync(TcpCapitalizeClient client, string text, CancellationToken cancellationToken)
    {
        await using var stdout = Console.OpenStandardOutput();
        await client.SendTextAsync(Encoding.UTF8.GetBytes(text), stdout, cancellationToken);
        await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
        return ExitCodes.Success;
    }

    // The book's loop: prompt, send, print "From Server: ...", on one connection until end of input.
    private static async Task<int> InteractiveAsync(TcpCapitalizeClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            Console.Write(Prompt);
            string? line = await Console.In.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                Console.WriteLine();
                return ExitCodes.Success;
            }

            byte[]? reply = await client.ExchangeLineAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
            if (reply is null)
            {
                return CommandLine.Fail("the server closed the connection");
            }

            Console.WriteLine($"From Server: {Encoding.UTF8.GetString(reply)}");
        }
    }
}
