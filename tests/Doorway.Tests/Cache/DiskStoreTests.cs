using System.Text;
using Doorway.Cache;
using Doorway.Tests.Files;
using Microsoft.Extensions.Logging.Abstractions;

namespace Doorway.Tests.Cache;

/// <summary>The disk store's bound and its round trip, on a temp directory.</summary>
public sealed class DiskStoreTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static StoredResponse Entry(string key, int size) =>
        new(key, 200, [new HeaderLine("Cache-Control"u8.ToArray(), "max-age=600"u8.ToArray())], BodySegments.Of(Encoding.ASCII.GetBytes(new string('d', size))),
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, ["Accept-Language"], ["en"]);

    [Fact]
    public void The_store_never_grows_past_its_bound_and_the_oldest_go_first()
    {
        string directory = Path.Combine(_tree.Base, "disk");
        var disk = new DiskStore(directory, 10_000, NullLogger.Instance);
        for (int i = 0; i < 5; i++)
        {
            disk.Save(Entry($"http://o/{i}", 3000));
            long onDisk = new DirectoryInfo(directory).GetFiles().Sum(file => file.Length);
            Assert.True(onDisk <= 10_000, $"{onDisk} bytes on disk after {i + 1} saves");
        }

        var memory = new MemoryStore(1 << 20);
        Assert.Null(disk.Load("http://o/0", memory));
        var last = Assert.Single(disk.Load("http://o/4", memory)!);
        Assert.Equal(3000, last.ContentLength);
        Assert.Equal(["Accept-Language"], last.VaryNames);
        Assert.Equal("en", Assert.Single(last.VaryValues));
    }

    [Fact]
    public void A_file_of_another_format_is_discarded()
    {
        string directory = Path.Combine(_tree.Base, "disk");
        var disk = new DiskStore(directory, 10_000, NullLogger.Instance);
        string junk = Path.Combine(directory, "0000.entry");
        File.WriteAllText(junk, "not an entry at all, but long enough to have a checksum's room after it");
        Assert.Null(disk.Read(junk));
        Assert.False(File.Exists(junk));
    }
}
