using System.Net;
using System.Net.Sockets;
using System.Text;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cache;

/// <summary>One request as the scripted origin received it.</summary>
internal sealed record OriginRequest(string Method, string Target, Dictionary<string, string> Headers, byte[] Body);

/// <summary>
/// An origin server the test scripts: it reads each request (keep-alive, Content-Length bodies),
/// records it, and writes whatever bytes the script returns (a well-formed response, or a broken
/// one: endless headers, a lying Content-Length, a close mid-head). Serves until disposed.
/// </summary>
internal sealed class ScriptedOrigin : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<OriginRequest, Func<NetworkStream, CancellationToken, Task>> _script;
    private readonly List<OriginRequest> _requests = [];
    private readonly List<Task> _connections = [];
    private readonly Task _loop;
    private int _accepted;

    public ScriptedOrigin(Func<OriginRequest, Func<NetworkStream, CancellationToken, Task>> script)
    {
        _script = script;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = AcceptAsync();
    }

    /// <summary>The port it listened on (still known after it stopped, for a test of a gone origin).</summary>
    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public int Connections => Volatile.Read(ref _accepted);

    public List<OriginRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>A script step that writes a whole response: a status, fields, and a body with its Content-Length.</summary>
    public static Func<NetworkStream, CancellationToken, Task> Respond(int status, string fields, string body = "") => async (stream, token) =>
    {
        byte[] content = Encoding.UTF8.GetBytes(body);
        string head = $"HTTP/1.1 {status} X\r\n{fields}{(fields.Length > 0 && !fields.EndsWith("\r\n", StringComparison.Ordinal) ? "\r\n" : "")}" +
            (status is 304 or 204 ? "" : $"Content-Length: {content.Length}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), token);
        await stream.WriteAsync(content, token);
    };

    /// <summary>A script step that writes raw bytes and then closes the connection.</summary>
    public static Func<NetworkStream, CancellationToken, Task> RawThenClose(string raw) => async (stream, token) =>
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(raw), token);
        throw new EndOfStreamException("closing as scripted");
    };

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                lock (_connections)
                {
                    _connections.Add(ServeAsync(client));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped: a listener stopped before the loop's next accept says "Not listening" (InvalidOperationException).
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var buffer = new List<byte>();
            byte[] chunk = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    int end;
                    while ((end = IndexOfEnd(buffer)) < 0)
                    {
                        int read = await stream.ReadAsync(chunk, _stop.Token);
                        if (read == 0 || buffer.Count > 1024 * 1024)
                        {
                            return;
                        }

                        buffer.AddRange(chunk.AsSpan(0, read));
                    }

                    string head = Encoding.Latin1.GetString(buffer.GetRange(0, end).ToArray());
                    buffer.RemoveRange(0, end + 4);
                    var lines = head.Split("\r\n");
                    var start = lines[0].Split(' ');
                    var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    foreach (var line in lines.Skip(1))
                    {
                        int colon = line.IndexOf(':', StringComparison.Ordinal);
                        string name = line[..colon];
                        string value = line[(colon + 1)..].Trim();
                        headers[name] = headers.TryGetValue(name, out var before) ? before + ", " + value : value;
                    }

                    int length = headers.TryGetValue("Content-Length", out var text) ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 0;
                    while (buffer.Count < length)
                    {
                        int read = await stream.ReadAsync(chunk, _stop.Token);
                        if (read == 0)
                        {
                            return;
                        }

                        buffer.AddRange(chunk.AsSpan(0, read));
                    }

                    byte[] body = buffer.GetRange(0, length).ToArray();
                    buffer.RemoveRange(0, length);
                    var request = new OriginRequest(start[0], start[1], headers, body);
                    lock (_requests)
                    {
                        _requests.Add(request);
                    }

                    await _script(request)(stream, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or EndOfStreamException or ObjectDisposedException)
            {
            }
        }
    }

    private static int IndexOfEnd(List<byte> buffer)
    {
        for (int i = 0; i + 3 < buffer.Count; i++)
        {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop.WithDeadline();
        Task[] running;
        lock (_connections)
        {
            running = [.. _connections];
        }

        await Task.WhenAll(running).WithDeadline();
    }
}
