using System.Buffers;
using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging;

namespace Doorway.Transport;

/// <summary>
/// TLS on a door's port, in front of the door's handler: a client whose first byte is 22 (a TLS
/// handshake record, RFC 8446 §5.1; RFC 5246 §6.2.1) gets a handshake and then the handler over a
/// <see cref="TlsConnection"/>; any other client is served in plaintext on the same port (the
/// first bytes replayed by a <see cref="PrefixConnection"/>), or refused when the door is TLS only.
/// No plaintext protocol of the doors starts with that byte: the capitalize and reply doors take text,
/// and the file door's first byte is an HTTP method or a file name.
/// </summary>
public static class TlsMiddleware
{
    /// <summary>The content type of a TLS handshake record: the first byte of every ClientHello.</summary>
    public const byte HandshakeRecord = 0x16;

    /// <summary>Most bytes read before deciding (one is enough; more saves SslStream a read of a ClientHello).</summary>
    private const int FirstReadBytes = 2048;

    public static Func<ConnectionDelegate, ConnectionDelegate> Create(TlsServerOptions options, ILogger logger, DoorMeter meter)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(meter);
        var ssl = options.ToSslOptions();
        return next => (connection, stopping) => ServeAsync(connection, stopping, next, options, ssl, logger, meter);
    }

    private static async Task ServeAsync(Connection connection, CancellationToken stopping, ConnectionDelegate next, TlsServerOptions options,
        SslServerAuthenticationOptions ssl, ILogger logger, DoorMeter meter)
    {
        var refusePlaintext = options.RefusePlaintext;
        if (!await WaitForFirstByteAsync(connection, options, stopping))
        {
            if (!stopping.IsCancellationRequested && !options.TlsOnly)
            {
                // Silent past the door's patience: a plaintext client that never speaks (the reply door answers it).
                await next(connection, stopping);
            }

            return;
        }

        byte[] first = ArrayPool<byte>.Shared.Rent(FirstReadBytes);
        int count;
        try
        {
            // Bytes are waiting (or the end of stream), so this read does not wait.
            count = await connection.ReceiveAsync(first.AsMemory(0, FirstReadBytes), stopping);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(first);
            throw;
        }

        bool tls = count > 0 && first[0] == HandshakeRecord;
        using var replay = new PrefixConnection(connection, first, count, endOfStream: count == 0);
        if (!tls)
        {
            if (!options.TlsOnly)
            {
                await next(replay, stopping);
                return;
            }

            TlsLog.PlaintextRefused(logger, connection.Id, connection.RemoteEndPoint);
            meter.TlsHandshakeFailed(connection.Info.Door, TimeSpan.Zero, "plaintext");
            if (refusePlaintext is not null && count > 0)
            {
                using var limit = new CancellationTokenSource(options.HandshakeTimeout);
                await refusePlaintext(replay, limit.Token);
            }
            else
            {
                await LingeringClose.RunAsync(replay);
            }

            return;
        }

        var stream = new SslStream(new ConnectionStream(replay), leaveInnerStreamOpen: true);
        if (!await HandshakeAsync(stream, replay, ssl, options, logger, meter))
        {
            stream.Dispose();
            return;
        }

        using var secure = new TlsConnection(replay, stream);
        try
        {
            await next(secure, stopping);
        }
        finally
        {
            await secure.CompleteAsync();
        }
    }

    /// <summary>True once a byte (or the end of stream) is waiting; false when the door stopped or the client stayed silent past <see cref="TlsServerOptions.SilentIsPlaintext"/>.</summary>
    private static async Task<bool> WaitForFirstByteAsync(Connection connection, TlsServerOptions options, CancellationToken stopping)
    {
        try
        {
            if (options.SilentIsPlaintext is { } patience)
            {
                using var silent = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                silent.CancelAfter(patience);
                await connection.WaitForDataAsync(silent.Token);
            }
            else
            {
                await connection.WaitForDataAsync(stopping);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<bool> HandshakeAsync(SslStream stream, Connection connection, SslServerAuthenticationOptions ssl, TlsServerOptions options, ILogger logger, DoorMeter meter)
    {
        var timeouts = connection.Timeouts;
        long start = Stopwatch.GetTimestamp();
        timeouts.SetDeadline(options.HandshakeTimeout, TimeoutReason.TlsHandshake);
        try
        {
            await stream.AuthenticateAsServerAsync(ssl, timeouts.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException or ObjectDisposedException)
        {
            var elapsed = Stopwatch.GetElapsedTime(start);
            if (e is OperationCanceledException && timeouts.Expired == TimeoutReason.TlsHandshake)
            {
                meter.TlsHandshakeFailed(connection.Info.Door, elapsed, "timeout");
                TlsLog.HandshakeTimedOut(logger, connection.Id, connection.RemoteEndPoint, options.HandshakeTimeout);
            }
            else
            {
                // A peer that does not trust the certificate, offers only TLS 1.0/1.1, or sends no TLS at all.
                string reason = e is AuthenticationException ? "protocol" : "closed";
                meter.TlsHandshakeFailed(connection.Info.Door, elapsed, reason);
                TlsLog.HandshakeFailed(logger, connection.Id, connection.RemoteEndPoint, reason, e.InnerException?.Message ?? e.Message);
            }

            return false;
        }
        finally
        {
            timeouts.ClearDeadline();
        }

        var took = Stopwatch.GetElapsedTime(start);
        string protocol = VersionName(stream.SslProtocol);
        meter.TlsHandshakeDone(connection.Info.Door, took, protocol);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            TlsLog.HandshakeDone(logger, connection.Id, connection.RemoteEndPoint, took.TotalMilliseconds, protocol,
                stream.NegotiatedCipherSuite.ToString(), stream.NegotiatedApplicationProtocol.ToString());
        }

        return true;
    }

    /// <summary>The version as OpenTelemetry's tls.protocol.version has it ("1.2", "1.3").</summary>
    internal static string VersionName(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "1.3",
        SslProtocols.Tls12 => "1.2",
        _ => protocol.ToString(),
    };
}
