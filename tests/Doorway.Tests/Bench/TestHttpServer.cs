using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Doorway.Tests.Bench;

/// <summary>
/// A tiny HTTP/1.1 keep-alive file server for the load generator's tests: answers pipelined GETs
/// in order, headers and body in separate writes (so responses arrive cut at odd places).
/// Known paths get 200 and their bytes; others 404.
/// </summary>
internal sealed class TestHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Dictionary<string, byte[]> _files;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connections = [];
    private readonly Task _accepting;

    public TestHttpServer(Dictionary<string, byte[]> files)
    {
        _files = files;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(socket));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        var buffer = new byte[16 * 1024];
        int filled = 0;
        try
        {
            while (true)
            {
                int end;
                while ((end = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) >= 0)
                {
                    string request = Encoding.ASCII.GetString(buffer, 0, end);
                    buffer.AsSpan(end + 4, filled - end - 4).CopyTo(buffer);
                    filled -= end + 4;
                    await AnswerAsync(socket, request.Split(' ')[1]);
                }

                int received = await socket.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, _stop.Token);
                if (received == 0)
                {
                    return;
                }

                filled += received;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
        }
    }

    private async Task AnswerAsync(Socket socket, string path)
    {
        bool found = _files.TryGetValue(path, out var body);
        body ??= "not found\n"u8.ToArray();
        string header = $"HTTP/1.1 {(found ? "200 OK" : "404 Not Found")}\r\nContent-Type: application/octet-stream\r\ncontent-length:  {body.Length}\r\n\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(header), SocketFlags.None, _stop.Token);
        await socket.SendAsync(body, SocketFlags.None, _stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stop.Dispose();
    }
}
