using System.Globalization;
using System.Text;
using Doorway.Transport;

namespace Doorway.Tests.Http;

/// <summary>A strict HTTP/1.1 response reader over an in-memory peer: framing by Content-Length, chunked, or the close.</summary>
internal sealed class PeerReader
{
    private readonly InMemoryPeer _peer;

    public PeerReader(InMemoryPeer peer)
    {
        _peer = peer;
    }

    public async Task<TestResponse> ReadResponseAsync(bool head = false, CancellationToken cancellationToken = default)
    {
        string statusLine = await ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("no response: the server closed");
        var response = new TestResponse
        {
            StatusLine = statusLine,
            Status = int.Parse(statusLine.Split(' ')[1], CultureInfo.InvariantCulture),
        };
        while (true)
        {
            string line = await ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("cut inside a head");
            if (line.Length == 0)
            {
                break;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = KeyValuePair.Create(line[..colon], line[(colon + 1)..].Trim());
            response.Fields.Add(field);
            Assert.True(response.Headers.TryAdd(field.Key, field.Value), $"repeated field {field.Key}");
        }

        if (head || response.Status is < 200 or 204 or 304)
        {
            return response;
        }

        if (response.Headers.TryGetValue("Transfer-Encoding", out var coding))
        {
            Assert.Equal("chunked", coding);
            Assert.False(response.Headers.ContainsKey("Content-Length"), "chunked and Content-Length");
            var body = new MemoryStream();
            while (true)
            {
                string sizeLine = await ReadLineAsync(cancellationToken) ?? throw new EndOfStreamException("cut inside chunked content");
                int size = int.Parse(sizeLine, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                response.Chunks.Add(size);
                if (size == 0)
                {
                    Assert.Equal("", await ReadLineAsync(cancellationToken));
                    break;
                }

                body.Write(await ReadExactlyAsync(size, cancellationToken));
                Assert.Equal("", await ReadLineAsync(cancellationToken));
            }

            response.Body = body.ToArray();
        }
        else if (response.Headers.TryGetValue("Content-Length", out var length))
        {
            response.Body = await ReadExactlyAsync(int.Parse(length, CultureInfo.InvariantCulture), cancellationToken);
        }
        else
        {
            Assert.True(response.Closes, "content without a length must be delimited by the close");
            response.Body = await _peer.ReadToEndAsync(cancellationToken);
        }

        return response;
    }

    /// <summary>Whatever is left until the server half-closes.</summary>
    public Task<byte[]> ReadToEndAsync(CancellationToken cancellationToken = default) => _peer.ReadToEndAsync(cancellationToken);

    /// <summary>A line without its CRLF (a bare LF is a test failure); null at the server's end.</summary>
    public async Task<string?> ReadLineAsync(CancellationToken cancellationToken = default)
    {
        var line = new List<byte>();
        while (true)
        {
            byte[] one = await _peer.ReadAsync(1, cancellationToken);
            if (one.Length == 0)
            {
                Assert.Empty(line);
                return null;
            }

            if (one[0] == (byte)'\n')
            {
                Assert.True(line.Count > 0 && line[^1] == (byte)'\r', "a line not ended by CRLF");
                return Encoding.ASCII.GetString(line.ToArray(), 0, line.Count - 1);
            }

            line.Add(one[0]);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
    {
        byte[] bytes = count == 0 ? [] : await _peer.ReadAsync(count, cancellationToken);
        Assert.Equal(count, bytes.Length);
        return bytes;
    }
}
