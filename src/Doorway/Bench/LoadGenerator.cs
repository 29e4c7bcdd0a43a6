using System.Net.Sockets;
using Doorway.Transport;
using Doorway.Transport.Epoll;

namespace Doorway.Bench;

/// <summary>
/// <c>doorway bench</c>'s engine: connects every connection, drives each with its own async loop
/// (the socket engine's threads run them; nothing blocks), warms up, measures, drains, and merges
/// what the connections counted.
/// </summary>
public static class LoadGenerator
{
    // Handshakes in flight while connecting, so 10,000 connections don't overflow a listen backlog at once.
    private const int ConnectBatch = 128;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Runs one load. Cancelling <paramref name="cancellationToken"/> ends the run early; the result
    /// covers the time measured so far. Throws <see cref="SocketException"/> or
    /// <see cref="TimeoutException"/> when connecting fails.
    /// </summary>
    public static async Task<BenchResult> RunAsync(BenchOptions options, Action<BenchProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is string problem)
        {
            throw new ArgumentException(problem, nameof(options));
        }

        await using var client = options.Mode == BenchMode.Tcp && options.Transport == TcpTransport.Epoll
            ? new EpollClient(options.TransportLoops > 0 ? options.TransportLoops : Math.Max(1, Environment.ProcessorCount / 2), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, options.SendBufferBytes)
            : null;
        var run = new BenchRun(options) { Client = client };
        var connections = await ConnectAllAsync(run, cancellationToken);
        try
        {
            var loops = connections.Select(c => Task.Run(c.RunAsync, CancellationToken.None)).ToArray();
            var all = Task.WhenAll(loops);
            var (measureStart, measureEnd, allocated) = await ControlAsync(run, connections, all, progress, cancellationToken);

            if (await Task.WhenAny(all, Task.Delay(options.DrainTimeout, CancellationToken.None)) != all)
            {
                foreach (var connection in connections)
                {
                    connection.Abort();
                }
            }

            await all;
            return Merge(options, connections, TimeSpan.FromTicks((measureEnd - measureStart) / 100)) with { AllocatedBytes = allocated };
        }
        finally
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }
        }
    }

    private static async Task<IBenchConnection[]> ConnectAllAsync(BenchRun run, CancellationToken cancellationToken)
    {
        var options = run.Options;
        var pattern = options.Mode == BenchMode.Files ? null : new TextPattern(options.Mode == BenchMode.Tcp
            ? TcpBenchConnection.LongestRun(options)
            : UdpBenchSocket.LongestRun(options));
        Func<int, BenchRun, TextPattern, CancellationToken, Task<IBenchConnection>> connect = options.Mode switch
        {
            BenchMode.Tcp => TcpBenchConnection.ConnectAsync,
            BenchMode.Udp => UdpBenchSocket.ConnectAsync,
            _ => FilesBenchConnection.ConnectAsync,
        };

        var connections = new List<IBenchConnection>(options.Connections);
        try
        {
            for (int first = 0; first < options.Connections; first += ConnectBatch)
            {
                int count = Math.Min(ConnectBatch, options.Connections - first);
                var batch = Enumerable.Range(first, count).Select(id => connect(id, run, pattern!, cancellationToken)).ToArray();
                try
                {
                    await Task.WhenAll(batch);
                }
                finally
                {
                    connections.AddRange(batch.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
                }
            }

            return [.. connections];
        }
        catch
        {
            foreach (var connection in connections)
            {
                connection.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Warm-up, then the measured time with a progress report every second; returns the window (ns)
    /// and the bytes this process allocated in it.
    /// </summary>
    private static async Task<(long Start, long End, long Allocated)> ControlAsync(BenchRun run, IBenchConnection[] connections, Task loops, Action<BenchProgress>? progress, CancellationToken cancellationToken)
    {
        var options = run.Options;
        long start = BenchClock.Now();
        long end = start;
        long allocated = 0;
        try
        {
            await TickAsync(connections, loops, options.Warmup, measuring: false, progress, cancellationToken);
            allocated = GC.GetTotalAllocatedBytes(precise: true);
            run.BeginMeasuring();
            start = BenchClock.Now();
            end = start;
            await TickAsync(connections, loops, options.Duration, measuring: true, progress, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Interrupted: report what was measured so far.
        }
        finally
        {
            if (run.IsMeasuring)
            {
                end = BenchClock.Now();
                allocated = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            }
            else
            {
                allocated = 0;
            }

            run.Stop();
        }

        return (start, end, allocated);
    }

    /// <summary>Waits out <paramref name="length"/>, reporting once a second; returns early if every connection has ended.</summary>
    private static async Task TickAsync(IBenchConnection[] connections, Task loops, TimeSpan length, bool measuring, Action<BenchProgress>? progress, CancellationToken cancellationToken)
    {
        long begin = BenchClock.Now();
        long finish = begin + (length.Ticks * 100);
        long lastMessages = 0;
        long lastTime = begin;
        while (true)
        {
            long left = finish - BenchClock.Now();
            if (left <= 0)
            {
                return;
            }

            var tick = Task.Delay(TimeSpan.FromTicks(Math.Min(left, ProgressInterval.Ticks * 100) / 100), cancellationToken);
            if (await Task.WhenAny(tick, loops) == loops)
            {
                // Every connection ended (the server closed them all): nothing is left to measure.
                return;
            }

            await tick;
            if (progress is null)
            {
                continue;
            }

            long now = BenchClock.Now();
            long messages = 0, errors = 0, mismatches = 0;
            foreach (var stats in Counters(connections))
            {
                messages += Volatile.Read(ref stats.Messages);
                errors += Volatile.Read(ref stats.Errors);
                mismatches += Volatile.Read(ref stats.Mismatches);
            }

            double rate = measuring && now > lastTime ? (messages - lastMessages) * 1e9 / (now - lastTime) : 0;
            progress(new BenchProgress(measuring, TimeSpan.FromTicks((now - begin) / 100), rate, messages, errors, mismatches));
            lastMessages = messages;
            lastTime = now;
        }
    }

    /// <summary>Each connection's counters, each counted once: connections on one client loop share theirs.</summary>
    private static IEnumerable<ConnectionStats> Counters(IBenchConnection[] connections) =>
        connections.Select(c => c.Stats).Distinct(ReferenceEqualityComparer.Instance).Cast<ConnectionStats>();

    private static BenchResult Merge(BenchOptions options, IBenchConnection[] connections, TimeSpan elapsed)
    {
        var latency = new LatencyHistogram();
        long messages = 0, bytes = 0, errors = 0, mismatches = 0, lost = 0, late = 0;
        string? firstError = null;
        string? firstMismatch = null;
        foreach (var stats in Counters(connections))
        {
            latency.Merge(stats.Latency);
            messages += stats.Messages;
            bytes += stats.Bytes;
            errors += stats.Errors;
            mismatches += stats.Mismatches;
            lost += stats.Lost;
            late += stats.Late;
            firstError ??= stats.FirstError;
            firstMismatch ??= stats.FirstMismatch;
        }

        return new BenchResult
        {
            Options = options,
            Elapsed = elapsed,
            Messages = messages,
            Bytes = bytes,
            Errors = errors,
            Mismatches = mismatches,
            Lost = lost,
            Late = late,
            FirstError = firstError,
            FirstMismatch = firstMismatch,
            Latency = latency,
        };
    }
}
