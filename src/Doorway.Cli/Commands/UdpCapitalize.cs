using System.Net.Sockets;
using System.Text;
using Doorway.Capitalize;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary><c>doorway capitalize --udp</c>: the book's UDP client, with a timeout and retries.</summary>
internal static class UdpCapitalize
{
    public static async Task<int> RunAsync(HostPort target, TimeSpan timeout, int retries, string[] words, CancellationToken cancellationToken)
    {
        UdpCapitalizeClient? client = null;
        try
        {
            client = await UdpCapitalizeClient.OpenAsync(target, timeout, retries, cancellationToken);
            int code;
            if (words.Length > 0)
            {
                byte[] text = Encoding.UTF8.GetBytes(string.Join(' ', words));
                if (text.Length > client.MaxText)
                {
                    return CommandLine.Fail($"the text is {text.Length} bytes; one datagram to {client.Server} carries at most {client.MaxText}");
                }

                byte[] reply = await client.ExchangeAsync(text, cancellationToken);
                await using var stdout = Console.OpenStandardOutput();
                await stdout.WriteAsync(reply, cancellationToken);
                await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken);
                code = ExitCodes.Success;
            }
            else if (!Console.IsInputRedirected)
            {
                code = await InteractiveAsync(client, cancellationToken);
            }
            else
            {
                await using var stdin = Console.OpenStandardInput();
                await using var stdout = Console.OpenStandardOutput();
                await client.ExchangeLinesAsync(stdin, stdout, cancellationToken);
                code = ExitCodes.Success;
            }

            ReportIgnored(client);
            return code;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return CommandLine.Interrupted();
        }
        catch (TimeoutException e)
        {
            ReportIgnored(client);
            return CommandLine.Fail(e.Message);
        }
        catch (Exception e) when (e is ArgumentException or InvalidDataException)
        {
            return CommandLine.Fail(e.Message);
        }
        catch (Exception e) when (LocalFiles.IsLocal(e))
        {
            // Reading stdin or writing stdout failed (a closed pipe, a full disk): this side, not the server.
            return CommandLine.Fail($"standard input or output: {LocalFiles.Describe(e)}");
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            return CommandLine.Fail($"{target}: {NetworkErrors.Describe(e)}");
        }
        finally
        {
            client?.Dispose();
        }
    }

    // The book's loop: prompt, send, print "From Server: ...", until end of input.
    private static async Task<int> InteractiveAsync(UdpCapitalizeClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            Console.Write(CapitalizeCommand.Prompt);
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

            byte[] reply = await client.ExchangeAsync(Encoding.UTF8.GetBytes(line), cancellationToken);
            Console.WriteLine($"From Server: {Encoding.UTF8.GetString(reply)}");
        }
    }

    private static void ReportIgnored(UdpCapitalizeClient? client)
    {
        if (client is null)
        {
            return;
        }

        if (client.Strays > 0)
        {
            Console.Error.WriteLine($"doorway: ignored {client.Strays} datagram(s) not from {client.Server}");
        }

        if (client.Unexpected > 0)
        {
            Console.Error.WriteLine($"doorway: ignored {client.Unexpected} reply(ies) that did not match the text sent (late answers to earlier tries)");
        }
    }
}
