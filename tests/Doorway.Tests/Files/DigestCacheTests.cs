using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Doorway.Files;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>Digests of opened files: keyed by FileVersion, hashed from a duplicate, bounded by a byte rate and a cooldown.</summary>
public sealed class DigestCacheTests : IDisposable
{
    private static readonly DateTime Then = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);
    private readonly TempTree _tree = new();
    private readonly FileRoot _root;

    public DigestCacheTests() => _root = new FileRoot(_tree.Root);

    public void Dispose()
    {
        _root.Dispose();
        _tree.Dispose();
    }

    private OpenedFile OpenFile(string name)
    {
        var result = _root.Open(Encoding.UTF8.GetBytes(name));
        Assert.Equal(FileOpenKind.File, result.Kind);
        return result.File!;
    }

    private static string Digest(byte[] content) => DigestCache.Format(SHA256.HashData(content));

    private static string DigestOfHex(string sha256Hex) => DigestCache.Format(Convert.FromHexString(sha256Hex));

    [Fact]
    public async Task Concurrent_requests_for_one_version_hash_it_once_from_a_duplicate_that_outlives_them()
    {
        string sha = _tree.MakeFile("f.bin", 4 * 1024 * 1024);
        var cache = new DigestCache(DigestCacheOptions.Default, NullLogger.Instance);
        var requests = Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            // Each request closes its descriptor as soon as it has asked: the hash reads its own.
            Task<string?> digest;
            using (var file = OpenFile("f.bin"))
            {
                digest = cache.GetAsync(file);
            }

            return await digest;
        })).ToArray();

        string?[] digests = await Task.WhenAll(requests).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.All(digests, d => Assert.Equal(DigestOfHex(sha), d));
        Assert.Equal(1, cache.Computations);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public async Task A_rewrite_with_the_same_size_and_an_old_mtime_is_a_new_version_by_its_ctime()
    {
        string path = _tree.PathOf("same.txt");
        await File.WriteAllTextAsync(path, "first version");
        File.SetLastWriteTimeUtc(path, Then);
        var cache = new DigestCache(DigestCacheOptions.Default, NullLogger.Instance);
        FileVersion before;
        using (var file = OpenFile("same.txt"))
        {
            before = file.Version;
            Assert.Equal(Digest("first version"u8.ToArray()), await cache.GetAsync(file));
        }

        // The same length, then mtime put back (touch -d): only ctime, which no user can set, moves.
        await File.WriteAllTextAsync(path, "other version");
        File.SetLastWriteTimeUtc(path, Then);
        var deadline = Stopwatch.StartNew();
        var again = OpenFile("same.txt");
        while (again.Version.ChangedNanoseconds == before.ChangedNanoseconds && deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            // ctime ticks with the kernel's coarse clock: touch again until it shows.
            again.Dispose();
            await Task.Delay(20);
            File.SetLastWriteTimeUtc(path, Then);
            again = OpenFile("same.txt");
        }

        using (again)
        {
            Assert.Equal(before.Size, again.Version.Size);
            Assert.Equal(before.ModifiedNanoseconds, again.Version.ModifiedNanoseconds);
            Assert.Equal(before.Identity, again.Version.Identity);
            Assert.NotEqual(before.ChangedNanoseconds, again.Version.ChangedNanoseconds);
            Assert.Equal(Digest("other version"u8.ToArray()), await cache.GetAsync(again));
        }

        Assert.Equal(2, cache.Computations);
    }

    [Fact]
    public async Task The_byte_rate_budget_makes_hashing_wait()
    {
        // 3 × 8 MiB at 8 MiB/s with a 1 MiB burst: at least (24 - 1) / 8 ≈ 2.9 s, however fast the machine.
        const int Size = 8 * 1024 * 1024;
        string[] shas = [_tree.MakeFile("a.bin", Size, seed: 1), _tree.MakeFile("b.bin", Size, seed: 2), _tree.MakeFile("c.bin", Size, seed: 3)];
        var cache = new DigestCache(DigestCacheOptions.Default with { HashBytesPerSecond = Size }, NullLogger.Instance);
        var watch = Stopwatch.StartNew();
        var digests = new List<Task<string?>>();
        foreach (var name in new[] { "a.bin", "b.bin", "c.bin" })
        {
            using var file = OpenFile(name);
            digests.Add(cache.GetAsync(file));
        }

        string?[] results = await Task.WhenAll(digests).WaitAsync(TimeSpan.FromSeconds(120));
        watch.Stop();
        Assert.Equal(shas.Select(DigestOfHex), results);
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(2), $"hashed 24 MiB in {watch.Elapsed} under an 8 MiB/s budget");
        Assert.True(cache.BudgetWaits >= 10, $"{cache.BudgetWaits} waits");
    }

    [Fact]
    public async Task The_default_budget_does_not_slow_a_small_file()
    {
        var cache = new DigestCache(DigestCacheOptions.Default, NullLogger.Instance);
        using var file = OpenFile("a.txt");
        Assert.Equal(Digest("hello\n"u8.ToArray()), await cache.GetAsync(file));
        Assert.Equal(0, cache.BudgetWaits);
    }

    [Fact]
    public async Task A_file_that_changes_while_hashed_gets_no_digest_and_is_left_alone_for_the_cooldown()
    {
        var time = new ManualTime();
        var cache = new DigestCache(DigestCacheOptions.Default with { Time = time, ChangedCooldown = TimeSpan.FromSeconds(10) }, NullLogger.Instance);
        string path = _tree.PathOf("log.txt");
        await File.WriteAllTextAsync(path, "line 1\n");
        using (var stale = OpenFile("log.txt"))
        {
            // Rewritten after the open, before the hash: what is read is not the version asked for.
            await File.WriteAllTextAsync(path, "line 2\n");
            Assert.Null(await cache.GetAsync(stale));
        }

        Assert.Equal(1, cache.ChangedWhileHashing);
        using (var current = OpenFile("log.txt"))
        {
            // A new version of the same inode, asked for at once: no hash, no digest.
            Assert.Null(await cache.GetAsync(current));
            time.Advance(TimeSpan.FromSeconds(9));
            Assert.Null(await cache.GetAsync(current));
            Assert.Equal(2, cache.CooledDownRefusals);
            Assert.Equal(1, cache.Computations);

            time.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(Digest("line 2\n"u8.ToArray()), await cache.GetAsync(current));
            Assert.Equal(2, cache.Computations);
        }

        // Other files were never held back.
        using var other = OpenFile("a.txt");
        Assert.Equal(Digest("hello\n"u8.ToArray()), await cache.GetAsync(other));
        Assert.Equal(2, cache.CooledDownRefusals);
    }

    [Fact]
    public async Task A_file_that_grows_while_hashed_gets_no_digest()
    {
        var cache = new DigestCache(DigestCacheOptions.Default, NullLogger.Instance);
        string path = _tree.PathOf("growing.txt");
        await File.WriteAllTextAsync(path, "start\n");
        using var file = OpenFile("growing.txt");
        await File.AppendAllTextAsync(path, "more\n");
        Assert.Null(await cache.GetAsync(file));
        Assert.Equal(1, cache.ChangedWhileHashing);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task A_digest_is_remembered_and_the_least_recently_used_is_forgotten_past_the_capacity()
    {
        var cache = new DigestCache(DigestCacheOptions.Default with { Capacity = 4 }, NullLogger.Instance);
        async Task<string?> DigestOf(string name)
        {
            using var file = OpenFile(name);
            return await cache.GetAsync(file);
        }

        Assert.Equal(Digest("hello\n"u8.ToArray()), await DigestOf("a.txt"));
        Assert.Equal(1, cache.Count);
        Assert.Equal(Digest("hello\n"u8.ToArray()), await DigestOf("a.txt"));
        Assert.Equal(1, cache.Computations);

        var contents = new Dictionary<string, string>();
        for (int i = 0; i < 4; i++)
        {
            contents[$"f{i}"] = $"file {i}\n";
            await File.WriteAllTextAsync(_tree.PathOf($"f{i}"), contents[$"f{i}"]);
        }

        // a.txt, f0, f1, f2 fill the cache; a.txt is asked for again, so f0 is the least recently used when f3 comes.
        foreach (var name in new[] { "f0", "f1", "f2" })
        {
            Assert.Equal(Digest(Encoding.UTF8.GetBytes(contents[name])), await DigestOf(name));
        }

        await DigestOf("a.txt");
        Assert.Equal(4, cache.Computations);
        Assert.Equal(Digest(Encoding.UTF8.GetBytes(contents["f3"])), await DigestOf("f3"));
        Assert.Equal(4, cache.Count);
        Assert.Equal(5, cache.Computations);

        await DigestOf("a.txt");
        await DigestOf("f2");
        Assert.Equal(5, cache.Computations);
        Assert.Equal(Digest(Encoding.UTF8.GetBytes(contents["f0"])), await DigestOf("f0"));
        Assert.Equal(6, cache.Computations);
        Assert.Equal(4, cache.Count);
    }

    /// <summary>A clock that moves only when told; timers (the budget's waits) still run on real time.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private long _now = 1_000_000;

        public override long GetTimestamp() => Interlocked.Read(ref _now);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)(by.TotalSeconds * TimestampFrequency));
    }
}
