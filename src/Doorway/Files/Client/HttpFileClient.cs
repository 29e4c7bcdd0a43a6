using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Doorway.Transport;

namespace Doorway.Files.Client;

/// <summary>
/// <c>doorway get</c> over HTTP: downloads into <c>FILE.part</c>, resumes a part with
/// Range + If-Range (a changed file restarts from zero), checks the SHA-256 against the
/// server's Repr-Digest, and only then renames the part to FILE.
/// </summary>
public sealed class HttpFileClient
{
    private const int ChunkSize = 256 * 1024;
    private static readonly System.Net.Security.SslApplicationProtocol[] Http11 = [System.Net.Security.SslApplicationProtocol.Http11];
    private readonly HostPort _server;
    private readonly TimeSpan _timeout;
    private readonly ClientTls? _tls;
    private readonly HostPort? _proxy;

    /// <param name="tls">For https://: how the server's certificate is trusted; null speaks plain http://.</param>
    /// <param name="proxy">A web cache or proxy to ask instead of the server (issue 13), for http:// only: the request then names the server in an absolute-form target (RFC 9112 §3.2.2).</param>
    public HttpFileClient(HostPort server, TimeSpan timeout, ClientTls? tls = null, HostPort? proxy = null)
    {
        if (tls is not null && proxy is not null)
        {
            throw new ArgumentException("https:// through a proxy needs a CONNECT tunnel, which this client does not open.", nameof(proxy));
        }

        _server = server;
        _timeout = timeout;
        _tls = tls;
        _proxy = proxy;
    }

    /// <summary>The last response's Cache-Status (RFC 9211), when a cache answered: what it did.</summary>
    public string? CacheStatus { get; private set; }

    private string Scheme => _tls is null ? "http" : "https";

    private Task<ClientConnection> ConnectAsync(CancellationToken cancellationToken) =>
        ClientConnection.ConnectAsync(_proxy ?? _server, _timeout, _tls, Http11, cancellationToken);

    public async Task<DownloadResult> DownloadAsync(string name, DownloadTarget target, IDownloadProgress? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(target);
        // A part is resumable only with the validator of the version it came from.
        if (File.Exists(target.PartPath) && !File.Exists(target.ValidatorPath))
        {
            File.Delete(target.PartPath);
        }

        for (int attempt = 0; ; attempt++)
        {
            long have = File.Exists(target.PartPath) ? new FileInfo(target.PartPath).Length : 0;
            string? validator = have > 0 ? (await File.ReadAllTextAsync(target.ValidatorPath, cancellationToken)).Trim() : null;
            var outcome = await AttemptAsync(name, target, have, validator, progress, cancellationToken);
            if (outcome is not null)
            {
                return outcome;
            }

            if (attempt > 0)
            {
                throw new DownloadException("the server refused every range; giving up");
            }

            // 416: the part no longer fits the file on the server; start over.
            Discard(target);
        }
    }

    /// <summary>
    /// Copies the file to <paramref name="output"/> (stdout for <c>-o -</c>) as it arrives: no part,
    /// no resume. The digest is checked at the end, after the bytes went out: a mismatch throws
    /// <see cref="DownloadException"/> saying so, and the caller exits non-zero.
    /// </summary>
    public async Task<DownloadResult> CopyToAsync(string name, Stream output, IDownloadProgress? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(output);
        using var socket = await ConnectAsync(cancellationToken);
        var head = await RequestAsync(socket, name, 0, null, cancellationToken);
        if (head.Status != 200)
        {
            throw Unexpected(name, head);
        }

        long? total = head.ContentLength;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        progress?.Started(total, 0);
        long received = await CopyBodyAsync(socket, head, output, hash, 0, total, progress, cancellationToken);
        await output.FlushAsync(cancellationToken);
        if (total is { } expected && received < expected)
        {
            throw new DownloadException($"the connection closed after {received} of {expected} bytes; what was written is incomplete");
        }

        byte[] actual = hash.GetHashAndReset();
        byte[]? promised = head.Sha256();
        if (promised is not null && !CryptographicOperations.FixedTimeEquals(actual, promised))
        {
            throw new DownloadException(
                $"SHA-256 mismatch: the server said {Convert.ToHexStringLower(promised)}, the bytes written hash to {Convert.ToHexStringLower(actual)}; do not trust them");
        }

        return new DownloadResult("-", received, 0, promised is not null);
    }

    private async Task<ResponseHeadReader> RequestAsync(ClientConnection socket, string name, long have, string? validator, CancellationToken cancellationToken)
    {
        var request = new StringBuilder()
            .Append("GET ").Append(_proxy is null ? "" : $"http://{_server}").Append(EncodePath(name)).Append(" HTTP/1.1\r\n")
            .Append("Host: ").Append(_server.ToString()).Append("\r\n")
            .Append("User-Agent: doorway\r\nAccept-Encoding: identity\r\nConnection: close\r\n");
        if (have > 0 && validator is not null)
        {
            request.Append("Range: bytes=").Append(have).Append("-\r\nIf-Range: ").Append(validator).Append("\r\n");
        }

        request.Append("\r\n");
        await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
        var head = await ResponseHeadReader.ReadAsync(buffer => ReceiveAsync(socket, buffer, cancellationToken));
        CacheStatus = head.Headers.TryGetValue("Cache-Status", out var status) ? status : null;
        return head;
    }

    /// <summary>The answers that are no file: a directory (the door redirects /dir to /dir/), not found, any other status.</summary>
    private DownloadException Unexpected(string name, ResponseHeadReader head)
    {
        string path = EncodePath(name);
        if (head.Status is 301 or 302 or 307 or 308 && head.Headers.TryGetValue("Location", out var location)
            && location.EndsWith(path + "/", StringComparison.Ordinal))
        {
            return new DownloadException($"{name} is a directory on {_server}; its listing is at {Scheme}://{_server}{path}/");
        }

        return head.Status == 404
            ? new DownloadException($"{name}: not found on {_server}")
            : new DownloadException($"{name}: the server answered {head.Status} {head.Reason}".TrimEnd());
    }

    /// <summary>The body after the head: to <paramref name="total"/> bytes, or to the server's close when it sent no length.</summary>
    private async Task<long> CopyBodyAsync(ClientConnection socket, ResponseHeadReader head, Stream output, IncrementalHash hash, long start, long? total, IDownloadProgress? progress, CancellationToken cancellationToken)
    {
        long received = start;
        await output.WriteAsync(head.Leftover.AsMemory(), cancellationToken);
        hash.AppendData(head.Leftover);
        received += head.Leftover.Count;
        progress?.Advanced(received);

        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (total is null || received < total)
            {
                int n = await ReceiveAsync(socket, buffer.AsMemory(0, (int)Math.Min(ChunkSize, total is { } t ? t - received : ChunkSize)), cancellationToken);
                if (n == 0)
                {
                    break;
                }

                await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                hash.AppendData(buffer, 0, n);
                received += n;
                progress?.Advanced(received);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return received;
    }

    private async Task<DownloadResult?> AttemptAsync(string name, DownloadTarget target, long have, string? validator, IDownloadProgress? progress, CancellationToken cancellationToken)
    {
        using var socket = await ConnectAsync(cancellationToken);
        var head = await RequestAsync(socket, name, have, validator, cancellationToken);

        long start;
        long? total;
        switch (head.Status)
        {
            case 200:
                start = 0;
                total = head.ContentLength;
                break;
            case 206 when head.TryContentRange(out long rangeStart, out long rangeTotal) && rangeStart == have:
                start = have;
                total = rangeTotal;
                break;
            case 206:
                throw new DownloadException("the server sent a different range than asked for");
            case 416:
                return null;
            default:
                throw Unexpected(name, head);
        }

        if (start == 0)
        {
            // A fresh download, or the file changed and If-Range sent all of it: the old part is worthless.
            Discard(target);
            if (head.Headers.TryGetValue("ETag", out var etag) && !etag.StartsWith("W/", StringComparison.Ordinal))
            {
                await File.WriteAllTextAsync(target.ValidatorPath, etag + "\n", cancellationToken);
            }
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var part = new FileStream(target.PartPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 0, FileOptions.Asynchronous);
        if (start > 0)
        {
            await HashExistingAsync(part, start, hash, cancellationToken);
        }

        part.Position = start;
        part.SetLength(start);
        progress?.Started(total, start);
        long received = await CopyBodyAsync(socket, head, part, hash, start, total, progress, cancellationToken);
        await part.FlushAsync(cancellationToken);
        if (total is { } expected && received < expected)
        {
            throw new DownloadException(
                $"the connection closed after {received} of {expected} bytes; {target.PartPath} kept, run the same command again to resume");
        }

        part.Close();
        byte[] actual = hash.GetHashAndReset();
        byte[]? promised = head.Sha256();
        if (promised is not null && !CryptographicOperations.FixedTimeEquals(actual, promised))
        {
            throw new DownloadException(
                $"SHA-256 mismatch: the server said {Convert.ToHexStringLower(promised)}, the bytes received hash to {Convert.ToHexStringLower(actual)}; {target.PartPath} kept");
        }

        File.Move(target.PartPath, target.Path, overwrite: true);
        File.Delete(target.ValidatorPath);
        return new DownloadResult(target.Path, received, start, promised is not null);
    }

    private static async Task HashExistingAsync(FileStream part, long length, IncrementalHash hash, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            part.Position = 0;
            long left = length;
            while (left > 0)
            {
                int n = await part.ReadAsync(buffer.AsMemory(0, (int)Math.Min(ChunkSize, left)), cancellationToken);
                if (n == 0)
                {
                    throw new DownloadException($"{part.Name} changed while being read");
                }

                hash.AppendData(buffer, 0, n);
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void Discard(DownloadTarget target)
    {
        File.Delete(target.PartPath);
        File.Delete(target.ValidatorPath);
    }

    private async Task<int> ReceiveAsync(ClientConnection socket, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        quiet.CancelAfter(_timeout);
        try
        {
            return await socket.ReceiveAsync(buffer, quiet.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no data from {_server} for {_timeout.TotalSeconds:0.###} s");
        }
    }

    /// <summary>"/" + NAME with each segment percent-encoded (UTF-8), '/' kept between segments.</summary>
    public static string EncodePath(string name)
    {
        var builder = new StringBuilder("/");
        string[] segments = name.TrimStart('/').Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            if (i > 0)
            {
                builder.Append('/');
            }

            builder.Append(Uri.EscapeDataString(segments[i]));
        }

        return builder.ToString();
    }
}
