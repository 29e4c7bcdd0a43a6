namespace Doorway.Http;

internal sealed partial class HttpRequestBody
{
    /// <summary>
    /// Longest chunk-size line (with its extensions) or trailer line. RFC 9112 §7.1.1 asks a server
    /// to bound chunk extensions as it bounds the rest of a message; 4 KiB is far more than any
    /// client sends, and the request buffer keeps this much room after the largest head.
    /// </summary>
    internal const int MaxChunkLineBytes = 4096;

    // How far the line being looked for (at the front of the unread bytes) was searched already.
    private int _lineScanned;

    /// <summary>
    /// Chunked decoding, RFC 9112 §7.1: chunk-size [chunk-ext] CRLF, data, CRLF, ..., "0" CRLF,
    /// trailer fields (checked, then dropped, as §7.1.2 allows), CRLF. Framing lines must end in
    /// CRLF: the bare-LF leniency of §2.2 is for the head only, and two parsers that disagree about
    /// a chunk's end are how a request is smuggled.
    /// </summary>
    private async ValueTask<int> ReadChunkedAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (_state)
            {
                case State.Data:
                    return await ReadDataAsync(destination, cancellationToken);

                case State.ChunkDataEnd:
                    if (_buffer.Count < 2)
                    {
                        await FillAsync(cancellationToken);
                        continue;
                    }

                    if (_buffer.Unread[0] != (byte)'\r' || _buffer.Unread[1] != (byte)'\n')
                    {
                        throw new HttpBodyException(400, "chunk data not followed by CRLF");
                    }

                    _buffer.Consume(2);
                    _state = State.ChunkSize;
                    continue;

                case State.ChunkSize:
                {
                    int lineFeed = FindLine();
                    if (lineFeed < 0)
                    {
                        await FillAsync(cancellationToken);
                        continue;
                    }

                    long size = ParseChunkSize(_buffer.Unread[..(lineFeed - 1)]);
                    _buffer.Consume(lineFeed + 1);
                    _remaining = size;
                    _state = size == 0 ? State.Trailers : State.Data;
                    continue;
                }

                case State.Trailers:
                {
                    int lineFeed = FindLine();
                    if (lineFeed < 0)
                    {
                        await FillAsync(cancellationToken);
                        continue;
                    }

                    if (lineFeed > 1)
                    {
                        _trailerBytes += lineFeed + 1;
                        if (_trailerBytes > _limits.MaxHeaderBytes)
                        {
                            throw new HttpBodyException(431, "trailer section too large");
                        }

                        if (!HttpRequestParser.IsValidFieldLine(_buffer.Unread[..(lineFeed - 1)], out _, out string? error))
                        {
                            throw new HttpBodyException(400, error!);
                        }
                    }

                    _buffer.Consume(lineFeed + 1);
                    if (lineFeed == 1)
                    {
                        _state = State.Done;
                        return 0;
                    }

                    continue;
                }

                default:
                    return 0;
            }
        }
    }

    /// <summary>The offset of the LF ending the line at the front of the unread bytes, or -1 until it has arrived.</summary>
    private int FindLine()
    {
        var unread = _buffer.Unread;
        int window = Math.Min(unread.Length, MaxChunkLineBytes);
        int found = _lineScanned < window ? unread[_lineScanned..window].IndexOf((byte)'\n') : -1;
        if (found < 0)
        {
            _lineScanned = window;
            if (unread.Length >= MaxChunkLineBytes)
            {
                throw new HttpBodyException(400, "chunk line too long");
            }

            return -1;
        }

        int lineFeed = _lineScanned + found;
        _lineScanned = 0;
        if (lineFeed == 0 || unread[lineFeed - 1] != (byte)'\r')
        {
            throw new HttpBodyException(400, "chunk line not ended by CRLF");
        }

        return lineFeed;
    }

    /// <summary>chunk-size = 1*HEXDIG, then optional extensions (RFC 9112 §7.1.1), which are ignored.</summary>
    private long ParseChunkSize(ReadOnlySpan<byte> line)
    {
        long allowed = _limits.MaxRequestBodyBytes - _read;
        long size = 0;
        int i = 0;
        for (; i < line.Length; i++)
        {
            int digit = HexValue(line[i]);
            if (digit < 0)
            {
                break;
            }

            // Checked as it grows: a size past the limit is refused before its data is read, and never overflows.
            if (allowed < digit || size > (allowed - digit) / 16)
            {
                throw new HttpBodyException(413, "request body larger than the maximum request body");
            }

            size = (size * 16) + digit;
        }

        if (i == 0)
        {
            throw new HttpBodyException(400, "bad chunk size");
        }

        var rest = line[i..];
        if (!rest.IsEmpty)
        {
            var extensions = rest.TrimStart(" \t"u8);
            if (extensions.IsEmpty || extensions[0] != (byte)';')
            {
                throw new HttpBodyException(400, "bad chunk size");
            }

            foreach (byte b in extensions)
            {
                if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
                {
                    throw new HttpBodyException(400, "control character in a chunk extension");
                }
            }
        }

        return size;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_buffer.IsFull)
        {
            throw new HttpBodyException(400, "chunk line too long");
        }

        if (await _buffer.FillAsync(_connection, cancellationToken) == 0)
        {
            throw new HttpBodyException(400, "connection ended inside the request body");
        }
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
