using System.Text;
using Doorway.Cache;
using Doorway.Tests.Http;
using Doorway.Tests.Support;
using Doorway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Cache;

/// <summary>A cache responder in front of a scripted origin, with clients over in-memory connections (no socket on the client's side).</summary>
internal sealed class CacheHarness : IAsyncDisposable
{
    private readonly House _house = new();

    public CacheHarness(Func<OriginRequest, Func<System.Net.Sockets.NetworkStream, CancellationToken, Task>> script, CacheOptions? options = null)
    {
        Origin = new ScriptedOrigin(script);
        Options = options ?? CacheOptions.Default;
        Responder = new CacheResponder(Options, NullLogger.Instance, new CacheMeter(_house.Meter, "cache"));
    }

    public ScriptedOrigin Origin { get; }

    public CacheOptions Options { get; }

    public CacheResponder Responder { get; }

    public string Url(string path) => Origin.Url(path);

    /// <summary>One request on a new client connection; returns the response.</summary>
    public async Task<TestResponse> GetAsync(string path, string fields = "", string method = "GET", string body = "")
    {
        await using var client = new SessionHarness(Responder, Options.Http);
        string target = path.StartsWith("http", StringComparison.Ordinal) ? path : Url(path);
        string length = body.Length > 0 ? $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n" : "";
        await client.SendAsync($"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{Origin.Port}\r\n{fields}{length}\r\n{body}");
        return await client.ReadResponseAsync(head: method == "HEAD");
    }

    public async ValueTask DisposeAsync()
    {
        Responder.Dispose();
        await Origin.DisposeAsync();
        _house.Dispose();
    }
}
