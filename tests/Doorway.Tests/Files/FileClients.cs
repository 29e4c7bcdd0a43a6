using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Doorway.Files;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>Test-side helpers: a file door on loopback, and bare-socket clients for both dialects.</summary>
internal static class FileClients
{
    public static WelcomeDoor Open(string root, FileDoorOptions? options = null, bool hidden = false, IPAddress? address = null, WelcomeDoorOptions? tcp = null, TcpTransport? transport = null)
    {
        var handler = new FileConnectionHandler(new FileRoot(root, hidden), options ?? FileDoorOptions.Default, NullLogger.Instance);
        var door = FileDoor.Bind(handler, TestDoors.On(tcp, address, transport), NullLogger.Instance);
        door.Start();
        return door;
    }

    public static async Task<Socket> ConnectAsync(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endPoint).WithDeadline();
        return socket;
    }

    /// <summary>Seed dialect: sends the name bytes as they are, reads until the server closes.</summary>
    public static async Task<byte[]> SeedAsync(IPEndPoint endPoint, byte[] name)
    {
        using var socket = await ConnectAsync(endPoint);
        await socket.SendAsync(name).WithDeadline();
        return await ReadToEndAsync(socket);
    }

    public static Task<byte[]> SeedAsync(IPEndPoint endPoint, string name) => SeedAsync(endPoint, Encoding.UTF8.GetBytes(name));

    /// <summary>Seed dialect, streamed into a hash: (bytes, sha256 hex) without holding the file.</summary>
    public static async Task<(long Length, string Sha256)> SeedHashAsync(IPEndPoint endPoint, string name)
    {
        using var socket = await ConnectAsync(endPoint);
        await socket.SendAsync(Encoding.UTF8.GetBytes(name)).WithDeadline();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[256 * 1024];
        long total = 0;
        var token = Deadline.Token(TimeSpan.FromSeconds(60));
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, token)) > 0)
        {
            hash.AppendData(buffer, 0, n);
            total += n;
        }

        return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
    }

    /// <summary>Sends raw request bytes and reads until the server closes.</summary>
    public static async Task<string> RawAsync(IPEndPoint endPoint, string request)
    {
        using var socket = await ConnectAsync(endPoint);
        await socket.SendAsync(Encoding.UTF8.GetBytes(request)).WithDeadline();
        return Encoding.UTF8.GetString(await ReadToEndAsync(socket));
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var output = new MemoryStream();
        byte[] buffer = new byte[64 * 1024];
        var token = Deadline.Token();
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, token)) > 0)
        {
            output.Write(buffer, 0, n);
        }

        return output.ToArray();
    }

    /// <summary>Reads one HTTP response (head, then Content-Length bytes unless it answers HEAD) from a kept-alive connection.</summary>
    public static async Task<HttpReply> ReadResponseAsync(Socket socket, MemoryStream pending, bool head = false)
    {
        byte[] buffer = new byte[64 * 1024];
        var token = Deadline.Token();
        while (true)
        {
            var data = pending.ToArray();
            int end = data.AsSpan().IndexOf("\r\n\r\n"u8);
            if (end >= 0)
            {
                var reply = HttpReply.ParseHead(Encoding.UTF8.GetString(data, 0, end));
                long bodyLength = head || reply.Status is 304 or 204 ? 0 : long.Parse(reply.Headers.GetValueOrDefault("content-length", "0"), System.Globalization.CultureInfo.InvariantCulture);
                int bodyStart = end + 4;
                while (data.Length - bodyStart < bodyLength)
                {
                    int n = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
                    if (n == 0)
                    {
                        throw new IOException("closed mid-body");
                    }

                    pending.Write(buffer, 0, n);
                    data = pending.ToArray();
                }

                reply.Body = data[bodyStart..(bodyStart + (int)bodyLength)];
                pending.SetLength(0);
                pending.Write(data, bodyStart + (int)bodyLength, data.Length - bodyStart - (int)bodyLength);
                return reply;
            }

            int received = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
            if (received == 0)
            {
                throw new IOException("closed before a response head");
            }

            pending.Write(buffer, 0, received);
        }
    }
}

internal sealed class HttpReply
{
    public int Status { get; private init; }

    public string StatusLine { get; private init; } = "";

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    public byte[] Body { get; set; } = [];

    public string Text => Encoding.UTF8.GetString(Body);

    public static HttpReply ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var reply = new HttpReply
        {
            StatusLine = lines[0],
            Status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            reply.Headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        return reply;
    }

    /// <summary>A whole response read until close (Connection: close).</summary>
    public static HttpReply Parse(string raw)
    {
        int end = raw.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end >= 0, $"no response head in: {raw}");
        var reply = ParseHead(raw[..end]);
        reply.Body = Encoding.UTF8.GetBytes(raw[(end + 4)..]);
        return reply;
    }
}
