using System.Buffers;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Doorway.Files;

/// <summary>
/// SHA-256 of file versions, as RFC 9530 Repr-Digest values ("sha-256=:base64:"). A version of
/// an <see cref="OpenedFile"/> is its <see cref="FileVersion"/> (device, inode, size, mtime and
/// ctime in nanoseconds). Each version is hashed once, remembered for the most recent
/// <see cref="DigestCacheOptions.Capacity"/> versions, and shared by concurrent requests for it.
/// The work is bounded: one file per core at a time, a byte-rate budget for all of them, and a
/// cooldown for files that change while hashed.
/// </summary>
internal sealed class DigestCache
{
    private const int ReadSize = 1024 * 1024;
    private static readonly Task<string?> NoDigest = Task.FromResult<string?>(null);

    private readonly DigestCacheOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<FileVersion, LinkedListNode<(FileVersion Version, string Value)>> _entries = [];
    private readonly LinkedList<(FileVersion Version, string Value)> _recent = new();
    private readonly Dictionary<FileVersion, Task<string?>> _computing = [];

    // (device, inode) → the timestamp until which a file that changed under its hash is left alone.
    private readonly Dictionary<(ulong Device, ulong Inode), long> _cooling = [];

    // Hashing is CPU-bound: at most one file per core at a time, however many are asked for.
    private readonly SemaphoreSlim _hashing = new(Environment.ProcessorCount);
    private readonly HashBudget _budget;
    private int _computations;
    private int _changed;
    private int _cooledDown;

    public DigestCache(DigestCacheOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ChangedCooldown, TimeSpan.Zero);
        _options = options;
        _logger = logger;
        // A burst of 1/20 s of the rate (at least one read), so waits are rare and long enough for a timer.
        _budget = new HashBudget(options.HashBytesPerSecond, Math.Max(ReadSize, options.HashBytesPerSecond / 20), options.Time);
    }

    /// <summary>Files hashed so far (each version once, however many asked at the same time).</summary>
    public int Computations => Volatile.Read(ref _computations);

    /// <summary>Hashes thrown away because the file changed while it was read.</summary>
    public int ChangedWhileHashing => Volatile.Read(ref _changed);

    /// <summary>Requests answered with no digest because their file was cooling down after such a change.</summary>
    public int CooledDownRefusals => Volatile.Read(ref _cooledDown);

    /// <summary>Reads that waited for the byte-rate budget.</summary>
    public long BudgetWaits => _budget.Waits;

    public int Count
    {
        get { lock (_lock) { return _entries.Count; } }
    }

    /// <summary>
    /// The digest of the opened file's version, hashed from a duplicate of its descriptor (never
    /// reopened by name), so it is the digest of the very file being served. Null when the file
    /// changed while it was hashed, is cooling down after such a change, or cannot be read.
    /// </summary>
    public Task<string?> GetAsync(OpenedFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.IsDirectory)
        {
            throw new ArgumentException("a directory has no digest", nameof(file));
        }

        var version = file.Version;
        lock (_lock)
        {
            if (TryRemembered(version, out var known))
            {
                return known;
            }

            if (_cooling.TryGetValue(version.Identity, out long until))
            {
                if (_options.Time.GetTimestamp() < until)
                {
                    _cooledDown++;
                    return NoDigest;
                }

                _cooling.Remove(version.Identity);
            }

            if (_computing.TryGetValue(version, out var pending))
            {
                return pending;
            }

            SafeFileHandle copy;
            try
            {
                // The request's descriptor closes when its response is sent; the hash may take longer.
                copy = file.Duplicate();
            }
            catch (IOException)
            {
                return NoDigest;
            }

            var task = Task.Run(() => ComputeAsync(version, copy));
            _computing[version] = task;
            return task;
        }
    }

    private bool TryRemembered(FileVersion version, out Task<string?> digest)
    {
        if (_entries.TryGetValue(version, out var node))
        {
            _recent.Remove(node);
            _recent.AddFirst(node);
            digest = Task.FromResult<string?>(node.Value.Value);
            return true;
        }

        digest = NoDigest;
        return false;
    }

    private async Task<string?> ComputeAsync(FileVersion version, SafeFileHandle copy)
    {
        string? value = null;
        bool changed = false;
        using (copy)
        {
            await _hashing.WaitAsync();
            try
            {
                Interlocked.Increment(ref _computations);
                var watch = Stopwatch.StartNew();
                value = await HashAsync(copy, version);
                if (value is null)
                {
                    changed = true;
                    Interlocked.Increment(ref _changed);
                    FilesLog.DigestCooldown(_logger, version.Inode, version.Device, _options.ChangedCooldown);
                    return null;
                }

                FilesLog.DigestComputed(_logger, version.Inode, version.Device, version.Size, watch.Elapsed);
                return value;
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
                    if (changed)
                    {
                        CoolDown(version.Identity);
                    }

                    Finish(version, value);
                }
            }
        }
    }

    /// <summary>Under the lock: the computation is over; a digest is remembered, the oldest forgotten.</summary>
    private void Finish(FileVersion version, string? value)
    {
        _computing.Remove(version);
        if (value is not null && !_entries.ContainsKey(version))
        {
            _entries[version] = _recent.AddFirst((version, value));
            if (_entries.Count > _options.Capacity)
            {
                var oldest = _recent.Last!;
                _recent.RemoveLast();
                _entries.Remove(oldest.Value.Version);
            }
        }
    }

    /// <summary>Under the lock: no hashing of this file for the cooldown. Bounded like the cache: expired marks go first, and a full table takes no more.</summary>
    private void CoolDown((ulong Device, ulong Inode) identity)
    {
        long now = _options.Time.GetTimestamp();
        if (_cooling.Count >= _options.Capacity)
        {
            foreach (var (file, until) in _cooling)
            {
                if (until <= now)
                {
                    _cooling.Remove(file);
                }
            }
        }

        if (_cooling.Count < _options.Capacity)
        {
            _cooling[identity] = now + (long)(_options.ChangedCooldown.TotalSeconds * _options.Time.TimestampFrequency);
        }
    }

    /// <summary>
    /// "sha-256=:base64:" of the descriptor's file, read with pread in budgeted 1 MiB steps, or null
    /// if the file is not the version asked for: longer or shorter than its size, or another
    /// size, mtime or ctime by statx once read through.
    /// </summary>
    private async Task<string?> HashAsync(SafeFileHandle file, FileVersion version)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        try
        {
            long offset = 0;
            while (true)
            {
                // One byte past the size, to see a file that grew; never more than the version holds.
                int want = (int)Math.Clamp(version.Size - offset, 1, ReadSize);
                await _budget.TakeAsync(want);
                int read = RandomAccess.Read(file, buffer.AsSpan(0, want), offset);
                if (read == 0)
                {
                    break;
                }

                offset += read;
                if (offset > version.Size)
                {
                    return null;
                }

                hash.AppendData(buffer, 0, read);
            }

            if (offset != version.Size || !NativeFile.Status(file, out var status, out _) || status.Version != version)
            {
                return null;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Format(hash.GetHashAndReset());
    }

    public static string Format(ReadOnlySpan<byte> sha256) => $"sha-256=:{Convert.ToBase64String(sha256)}:";
}
