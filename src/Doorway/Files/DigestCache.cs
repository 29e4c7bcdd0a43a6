using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Doorway.Files;

/// <summary>
/// SHA-256 of file versions, as RFC 9530 Repr-Digest values ("sha-256=:base64:"). A version is
/// (path, length, modification time): hashed once, remembered for the most recent
/// <c>capacity</c> versions, and shared by concurrent requests for the same version.
/// </summary>
internal sealed class DigestCache
{
    private const int ReadSize = 1024 * 1024;
    private readonly int _capacity;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<Key, LinkedListNode<(Key Key, string Value)>> _entries = [];
    private readonly LinkedList<(Key Key, string Value)> _recent = new();
    private readonly Dictionary<Key, Task<string?>> _computing = [];

    // Hashing is CPU-bound: at most one file per core at a time, however many are asked for.
    private readonly SemaphoreSlim _hashing = new(Environment.ProcessorCount);
    private int _computations;

    public DigestCache(int capacity, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _logger = logger;
    }

    /// <summary>Files hashed so far (each version once, however many asked at the same time).</summary>
    public int Computations => Volatile.Read(ref _computations);

    public int Count
    {
        get { lock (_lock) { return _entries.Count; } }
    }

    /// <summary>The digest of the file's version; null if the file changed while it was being read.</summary>
    public Task<string?> GetAsync(string path, long length, DateTime modifiedUtc)
    {
        var key = new Key(path, length, modifiedUtc.Ticks);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                _recent.Remove(node);
                _recent.AddFirst(node);
                return Task.FromResult<string?>(node.Value.Value);
            }

            if (_computing.TryGetValue(key, out var pending))
            {
                return pending;
            }

            // Hashing a large file takes a while: off the caller's thread, once for all who ask.
            var task = Task.Run(() => ComputeAsync(key));
            _computing[key] = task;
            return task;
        }
    }

    private async Task<string?> ComputeAsync(Key key)
    {
        string? value = null;
        await _hashing.WaitAsync();
        try
        {
            Interlocked.Increment(ref _computations);
            var watch = Stopwatch.StartNew();
            value = await HashAsync(key.Path);
            var info = new FileInfo(key.Path);
            if (value is not null && info.Exists && info.Length == key.Length && info.LastWriteTimeUtc.Ticks == key.ModifiedTicks)
            {
                FilesLog.DigestComputed(_logger, key.Path, key.Length, watch.Elapsed);
                return value;
            }

            // Changed underneath us: the digest belongs to no version anyone asked for.
            value = null;
            return null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        finally
        {
            _hashing.Release();
            lock (_lock)
            {
                _computing.Remove(key);
                if (value is not null && !_entries.ContainsKey(key))
                {
                    _entries[key] = _recent.AddFirst((key, value));
                    if (_entries.Count > _capacity)
                    {
                        var oldest = _recent.Last!;
                        _recent.RemoveLast();
                        _entries.Remove(oldest.Value.Key);
                    }
                }
            }
        }
    }

    /// <summary>"sha-256=:base64:" of a whole file, read through in pooled chunks.</summary>
    internal static async Task<string?> HashAsync(string path, CancellationToken cancellationToken = default)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.SequentialScan);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            long offset = 0;
            int read;
            while ((read = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, ReadSize), offset, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                offset += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Format(hash.GetHashAndReset());
    }

    public static string Format(ReadOnlySpan<byte> sha256) => $"sha-256=:{Convert.ToBase64String(sha256)}:";

    private readonly record struct Key(string Path, long Length, long ModifiedTicks);
}
