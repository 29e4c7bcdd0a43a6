using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cache;

/// <summary>
/// nginx (Debian) as an origin, started by the test with its own config in a temp directory on a
/// loopback port: /fresh/ says max-age=600, /stale/ max-age=0 (validated by ETag every time),
/// /nostore/ no-store, /slow/ max-age=600 sent at 256 KiB/s. Its access log, one line per request
/// with the validators it got, is the proof of what reached the origin. Stopped by its own PID.
/// </summary>
internal sealed class NginxOrigin : IAsyncDisposable
{
    private readonly RunningProcess _process;

    private NginxOrigin(RunningProcess process, string directory, int port)
    {
        _process = process;
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public static async Task<NginxOrigin> StartAsync(string root, string directory)
    {
        int port = FreePort();
        string config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            daemon off;
            master_process off;
            worker_processes 1;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log;
            events { worker_connections 512; }
            http {
                log_format origin escape=none '$request_method $uri $status inm=$http_if_none_match ims=$http_if_modified_since';
                access_log {{directory}}/access.log origin;
                client_body_temp_path {{directory}}/body;
                proxy_temp_path {{directory}}/proxy;
                fastcgi_temp_path {{directory}}/fastcgi;
                uwsgi_temp_path {{directory}}/uwsgi;
                scgi_temp_path {{directory}}/scgi;
                types { text/html html; text/plain txt; image/png png; application/octet-stream bin; }
                keepalive_requests 100000;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}};
                    location /fresh/ { add_header Cache-Control "max-age=600"; }
                    location /stale/ { add_header Cache-Control "max-age=0"; }
                    location /nostore/ { add_header Cache-Control "no-store"; }
                    location /slow/ { add_header Cache-Control "max-age=600"; limit_rate 256k; }
                }
            }
            """);
        var process = RunningProcess.Start("nginx", ["-p", directory, "-c", config]);
        var origin = new NginxOrigin(process, directory, port);
        await Deadline.UntilAsync(async () =>
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited: {process.Stderr} {ErrorLog(directory)}");
            }

            try
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(IPAddress.Loopback, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, "nginx to listen");
        return origin;
    }

    /// <summary>The access log's lines for <paramref name="uri"/>: "GET /fresh/a.txt 200 inm= ims=".</summary>
    public List<string> Requests(string uri)
    {
        string log = Path.Combine(Directory, "access.log");
        return File.Exists(log) ? File.ReadAllLines(log).Where(line => line.Split(' ')[1] == uri).ToList() : [];
    }

    public async ValueTask DisposeAsync() => await _process.DisposeAsync();

    private static string ErrorLog(string directory)
    {
        string path = Path.Combine(directory, "error.log");
        return File.Exists(path) ? File.ReadAllText(path) : "";
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
