using Doorway.Http;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>
/// The seed's download protocol, reached with `doorway get --raw`: the client sends a file name;
/// the server sends the whole file and closes. A name that is missing, a directory, or refused
/// gets the connection closed with no bytes, as in the seed; the log (debug) says why.
/// </summary>
internal static class RawDialect
{
    public static async Task ServeAsync(FileConnectionHandler door, Connection connection, CancellationToken stopping)
    {
        using var buffer = new RequestBuffer(door.Options.MaxRequestLineBytes);
        // The sniffer's bytes are waiting, so this first read never blocks.
        bool ended = await buffer.FillAsync(connection, stopping) == 0;
        connection.Timeouts.SetDeadline(door.Options.RequestTimeout, TimeoutReason.RequestHead);
        // The name ends at a newline (echo name | nc), at the client's end of stream, or when no
        // more bytes are waiting: the book's client sends its name in one piece, then only listens.
        int nameLength;
        int searched = 0;
        while (true)
        {
            int newline = buffer.Unread[searched..].IndexOf((byte)'\n');
            if (newline >= 0)
            {
                nameLength = searched + newline;
                break;
            }

            searched = buffer.Count;
            if (ended || connection.Available == 0)
            {
                nameLength = buffer.Count;
                break;
            }

            if (buffer.IsFull)
            {
                Refuse(door, connection, buffer.Unread, "name longer than the maximum request line");
                await LingeringClose.RunAsync(connection);
                return;
            }

            ended = await buffer.FillAsync(connection, connection.Timeouts.Token) == 0;
        }

        connection.Timeouts.ClearDeadline();
        while (nameLength > 0 && buffer.Unread[nameLength - 1] is (byte)'\r' or (byte)'\n')
        {
            nameLength--;
        }

        var name = buffer.UnreadMemory[..nameLength];
        if (!door.Descriptors.TryTake())
        {
            // No status to say "come back later" in this dialect: the close without bytes is it.
            Refuse(door, connection, name.Span, "no file descriptor left (the process limit)");
            await LingeringClose.RunAsync(connection);
            return;
        }

        try
        {
            var result = await door.Root.OpenAsync(name);
            using var file = result.File;
            if (result.Kind != FileOpenKind.File)
            {
                Refuse(door, connection, name.Span, result.Kind == FileOpenKind.Directory ? "a directory" : result.Reason);
                await LingeringClose.RunAsync(connection);
                return;
            }

            string? served = door.Logger.IsEnabled(LogLevel.Information) ? Printable(name.Span) : null;
            // Not cut short by a stop: the drain timeout bounds it.
            await connection.SendFileAsync(file!.Handle, 0, file.Length, CancellationToken.None);
            if (served is not null)
            {
                FilesLog.RawServed(door.Logger, connection.Id, connection.RemoteEndPoint, served, file.Length, connection.Info.Age.TotalMilliseconds);
            }
        }
        finally
        {
            door.Descriptors.Return();
        }

        await LingeringClose.RunAsync(connection);
    }

    private static void Refuse(FileConnectionHandler door, Connection connection, ReadOnlySpan<byte> name, string reason)
    {
        if (door.Logger.IsEnabled(LogLevel.Information))
        {
            FilesLog.RawRefused(door.Logger, connection.Id, connection.RemoteEndPoint, Printable(name), reason, connection.Info.Age.TotalMilliseconds);
        }
    }

    /// <summary>A client's name as a log can show it: invalid bytes replaced, controls escaped.</summary>
    internal static string Printable(ReadOnlySpan<byte> name)
    {
        string text = System.Text.Encoding.UTF8.GetString(name);
        var builder = new System.Text.StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsControl(c))
            {
                builder.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
