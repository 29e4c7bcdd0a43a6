using System.Buffers;

namespace Doorway.Transport;

/// <summary>
/// Says which branch a connection's first bytes belong to: a branch index, or -1 while more bytes
/// are needed. With <paramref name="mustDecide"/> (the end of stream, a full buffer, or the
/// timeout) it must decide; -1 then drops the connection. <paramref name="quiet"/> says no more
/// bytes are waiting now: a peer that sends its request whole and then waits (the book's client)
/// is only ever quiet, so a classifier that can decide then should.
/// </summary>
public delegate int FirstBytesClassifier(ReadOnlySpan<byte> firstBytes, bool mustDecide, bool quiet);

/// <summary>
/// A reusable sniffer: reads a connection's first bytes, lets a classifier choose a branch (HTTP
/// or the raw dialect; later TLS or plaintext), and hands the branch a connection that replays
/// them. Holds no buffer until the peer sends; the request timeout runs only while the first
/// bytes don't settle it, and when it passes the classifier decides on what came.
/// </summary>
public static class FirstBytesRouter
{
    /// <param name="maxBytes">Most bytes read before the classifier must decide (what a first read takes).</param>
    /// <param name="timeout">Time from the first bytes to a decision; then the classifier must decide (or the connection is dropped).</param>
    public static ConnectionDelegate Create(FirstBytesClassifier classify, IReadOnlyList<ConnectionDelegate> branches, int maxBytes, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(classify);
        ArgumentNullException.ThrowIfNull(branches);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        var routes = branches.ToArray();
        return (connection, stopping) => RouteAsync(connection, stopping, classify, routes, maxBytes, timeout);
    }

    private static async Task RouteAsync(Connection connection, CancellationToken stopping, FirstBytesClassifier classify, ConnectionDelegate[] branches, int maxBytes, TimeSpan timeout)
    {
        byte[]? buffer = null;
        int count = 0;
        bool endOfStream = false;
        int branch = -1;
        try
        {
            // Hold no buffer until the client says something.
            await connection.WaitForDataAsync(stopping);
            buffer = ArrayPool<byte>.Shared.Rent(maxBytes);
            var token = stopping;
            while (branch < 0)
            {
                int received;
                try
                {
                    received = await connection.ReceiveAsync(buffer.AsMemory(count, maxBytes - count), token);
                }
                catch (OperationCanceledException) when (!stopping.IsCancellationRequested && count > 0)
                {
                    // Nothing decisive in time: the classifier decides on what came.
                    branch = classify(buffer.AsSpan(0, count), mustDecide: true, quiet: true);
                    if (branch < 0)
                    {
                        Return(buffer);
                        return;
                    }

                    break;
                }

                count += received;
                endOfStream = received == 0;
                bool mustDecide = endOfStream || count == maxBytes;
                branch = classify(buffer.AsSpan(0, count), mustDecide, quiet: mustDecide || connection.Available == 0);
                if (branch < 0 && mustDecide)
                {
                    Return(buffer);
                    return;
                }

                if (branch < 0 && token == stopping)
                {
                    // Bytes are waiting, so the first read didn't block; most connections never need the clock.
                    connection.Timeouts.SetDeadline(timeout, TimeoutReason.RequestHead);
                    token = connection.Timeouts.Token;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The door stopped before the client spoke, or the peer's first read was cancelled.
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
            connection.Timeouts.ClearDeadline();
        }

        if (branch >= branches.Length)
        {
            Return(buffer);
            throw new InvalidOperationException($"the classifier chose branch {branch} of {branches.Length}");
        }

        using var replay = new PrefixConnection(connection, buffer, count, endOfStream);
        await branches[branch](replay, stopping);
    }

    private static void Return(byte[]? buffer)
    {
        if (buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
