using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Tests.Support;

namespace Doorway.Tests.Files;

/// <summary>
/// Misbehaving servers for the download client: one that cuts a connection after N bytes of the
/// real door's answer, one that lies about the digest, one that never answers. Each serves until disposed.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private TestServer(Func<Socket, CancellationToken, Task> serve)
    {
        _listener.Start();
        _loop = LoopAsync(serve);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string Address => $"127.0.0.1:{Port}";

    public int Connections { get; private set; }

    /// <summary>Relays to <paramref name="door"/> but closes after <paramref name="cutAfter"/> bytes of its answer.</summary>
    public static TestServer Cutting(IPEndPoint door, long cutAfter) => new(async (client, token) =>
    {
        using var upstream = new Socket(door.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await upstream.ConnectAsync(door, token);
        byte[] request = new byte[16 * 1024];
        int n = await client.ReceiveAsync(request, SocketFlags.None, token);
        await upstream.SendAsync(request.AsMemory(0, n), SocketFlags.None, token);
        byte[] buffer = new byte[64 * 1024];
        long sent = 0;
        while (sent < cutAfter)
        {
            int got = await upstream.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, cutAfter - sent)), SocketFlags.None, token);
            if (got == 0)
            {
                break;
            }

            await client.SendAsync(buffer.AsMemory(0, got), SocketFlags.None, token);
            sent += got;
        }
    });

    /// <summary>Relays to <paramref name="door"/>, then after <paramref name="stallAfter"/> bytes of its answer says nothing more until the client leaves.</summary>
    public static TestServer Stalling(IPEndPoint door, long stallAfter, TaskCompletionSource stalled) => new(async (client, token) =>
    {
        using var upstream = new Socket(door.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        await upstream.ConnectAsync(door, token);
        byte[] request = new byte[16 * 1024];
        int n = await client.ReceiveAsync(request, SocketFlags.None, token);
        await upstream.SendAsync(request.AsMemory(0, n), SocketFlags.None, token);
        byte[] buffer = new byte[64 * 1024];
        long sent = 0;
        while (sent < stallAfter)
        {
            int got = await upstream.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, stallAfter - sent)), SocketFlags.None, token);
            await client.SendAsync(buffer.AsMemory(0, got), SocketFlags.None, token);
            sent += got;
        }

        stalled.TrySetResult();
        while (await client.ReceiveAsync(buffer, SocketFlags.None, token) > 0)
        {
        }
    });

    /// <summary>Answers every request with <paramref name="body"/> and a Repr-Digest that is not its SHA-256.</summary>
    public static TestServer Lying(byte[] body) => new(async (client, token) =>
    {
        byte[] request = new byte[16 * 1024];
        await client.ReceiveAsync(request, SocketFlags.None, token);
        string head = $"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nETag: \"lie\"\r\n" +
            $"Repr-Digest: sha-256=:{Convert.ToBase64String(new byte[32])}:\r\nConnection: close\r\n\r\n";
        await client.SendAsync(Encoding.ASCII.GetBytes(head), SocketFlags.None, token);
        await client.SendAsync(body, SocketFlags.None, token);
        client.Shutdown(SocketShutdown.Send);
    });

    /// <summary>Accepts and then says nothing until the client gives up.</summary>
    public static TestServer Silent() => new(async (client, token) =>
    {
        byte[] sink = new byte[1024];
        while (await client.ReceiveAsync(sink, SocketFlags.None, token) > 0)
        {
        }
    });

    private async Task LoopAsync(Func<Socket, CancellationToken, Task> serve)
    {
        var running = new List<Task>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                Connections++;
                running.Add(ServeOneAsync(client, serve));
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }

        await Task.WhenAll(running);
    }

    private async Task ServeOneAsync(Socket client, Func<Socket, CancellationToken, Task> serve)
    {
        using (client)
        {
            try
            {
                await serve(client, _stop.Token);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop.WithDeadline();
        _stop.Dispose();
    }
}
