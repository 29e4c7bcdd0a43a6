using System.Buffers;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

/// <summary>
/// The PROXY protocol (HAProxy's doc/proxy-protocol.txt, v1 and v2) as connection middleware, first
/// in a door's pipeline: from a trusted balancer a header is required, and the client it names
/// becomes the connection's remote endpoint before the limits, the accept log and the registry see
/// it; from anyone else a header is refused. §2: "The receiver MUST be configured to only receive
/// the protocol ... and MUST not try to guess whether the protocol header is present or not."
/// </summary>
public static class ProxyProtocol
{
    /// <summary>Bytes rented to read a header: a whole v1 line and any v2 header without large TLVs, with what follows in the same segment.</summary>
    private const int FirstReadBytes = 536;

    public static Func<ConnectionDelegate, ConnectionDelegate> Middleware(ProxyProtocolOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxHeaderBytes, ProxyHeaderParser.MaxV1Bytes);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.HeaderTimeout, TimeSpan.Zero);
        return next => (connection, stopping) => options.Trusts(connection.RemoteEndPoint.Address)
            ? ReadHeaderAsync(connection, stopping, next, options, logger)
            : ServeGuardedAsync(connection, stopping, next, logger);
    }

    private static async Task ServeGuardedAsync(Connection connection, CancellationToken stopping, ConnectionDelegate next, ILogger logger)
    {
        using var guarded = new ProxyHeaderGuard(connection, logger);
        await next(guarded, stopping);
    }

    private static async Task ReadHeaderAsync(Connection connection, CancellationToken stopping, ConnectionDelegate next, ProxyProtocolOptions options, ILogger logger)
    {
        var timeouts = connection.Timeouts;
        var balancer = connection.RemoteEndPoint;
        byte[]? buffer = null;
        int count = 0;
        bool endOfStream = false;
        ProxyHeader header;
        // The clock runs from accept: §2 has the sender send the header at once, before any data.
        timeouts.SetDeadline(options.HeaderTimeout, TimeoutReason.RequestHead);
        try
        {
            var token = timeouts.Token;
            // Hold no buffer until the balancer says something.
            await connection.WaitForDataAsync(token);
            buffer = ArrayPool<byte>.Shared.Rent(FirstReadBytes);
            while (true)
            {
                var status = ProxyHeaderParser.Parse(buffer.AsSpan(0, count), out header, out int needed, out string? error);
                if (status == ProxyParseStatus.Complete)
                {
                    break;
                }

                if (status == ProxyParseStatus.Invalid || needed > options.MaxHeaderBytes || endOfStream)
                {
                    string reason = status == ProxyParseStatus.Invalid ? error!
                        : endOfStream ? $"the connection ended after {count} bytes of a header"
                        : $"a header of {needed} bytes is longer than the limit of {options.MaxHeaderBytes}";
                    ProxyLog.Invalid(logger, connection.Info.Door, connection.Id, balancer, reason);
                    Return(buffer);
                    return;
                }

                if (needed > buffer.Length)
                {
                    // A v2 header with large TLVs: room for all of it (within MaxHeaderBytes).
                    var larger = ArrayPool<byte>.Shared.Rent(needed);
                    buffer.AsSpan(0, count).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int received = await connection.ReceiveAsync(buffer.AsMemory(count), token);
                count += received;
                endOfStream = received == 0;
            }
        }
        catch (OperationCanceledException)
        {
            ProxyLog.TooSlow(logger, connection.Info.Door, connection.Id, balancer, options.HeaderTimeout);
            Return(buffer);
            return;
        }
        catch
        {
            Return(buffer);
            throw;
        }
        finally
        {
            timeouts.ClearDeadline();
        }

        if (header.NamesClient)
        {
            connection.RemoteEndPoint = header.Source!;
            connection.LocalEndPoint = header.Destination!;
            ProxyLog.Client(logger, connection.Info.Door, connection.Id, balancer, header.Source!, header.Version);
        }
        else
        {
            ProxyLog.Local(logger, connection.Info.Door, connection.Id, balancer, header.Version);
        }

        // What came after the header belongs to the client: replay it.
        int rest = count - header.Length;
        buffer.AsSpan(header.Length, rest).CopyTo(buffer);
        using var replay = new PrefixConnection(connection, buffer, rest, endOfStream);
        await next(replay, stopping);
    }

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
