using Doorway.Tests.Files;
using Doorway.Transport;

namespace Doorway.Tests.Conformance;

/// <summary>
/// The file door the conformance suite asks, on loopback, over a tree with the files the table
/// names: /a.txt modified at a known instant, /ten.bin, /kilo.bin (1000 bytes), /empty, and awkward names (an escape, a
/// byte that is not UTF-8, a space with '#' and '?').
/// </summary>
public sealed class ConformanceDoor : IAsyncLifetime
{
    private readonly TempTree _tree = new();

    internal WelcomeDoor Door { get; private set; } = null!;

    internal TempTree Tree => _tree;

    /// <summary>The ETag the door gives /a.txt, read once it is up.</summary>
    public string ETag { get; private set; } = "";

    public System.Net.IPEndPoint EndPoint => Door.LocalEndPoint;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_tree.PathOf("ten.bin"), "0123456789");
        await File.WriteAllTextAsync(_tree.PathOf("kilo.bin"), string.Concat(Enumerable.Repeat("0123456789", 100)));
        await File.WriteAllTextAsync(_tree.PathOf("hello.txt"), "hello file\n");
        await File.WriteAllTextAsync(_tree.PathOf("%41.txt"), "a name with a percent escape in it");
        await File.WriteAllTextAsync(_tree.PathOf("sp ace#?.txt"), "an awkward name");
        TestFileSystem.WriteFile(_tree.Root, [.. "caf"u8, 0xE9, .. ".txt"u8], "a latin-1 name"u8);
        File.SetLastWriteTimeUtc(_tree.PathOf("a.txt"), ConformanceTable.Modified);
        Door = FileClients.Open(_tree.Root);
        var reply = HttpReply.Parse(await FileClients.RawAsync(EndPoint, "HEAD /a.txt HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
        ETag = reply.Headers["ETag"];
    }

    /// <summary>The request with the placeholders filled in.</summary>
    internal string Fill(string request) => request.Replace("{etag-weak}", "W/" + ETag, StringComparison.Ordinal).Replace("{etag}", ETag, StringComparison.Ordinal);

    public async Task DisposeAsync()
    {
        await Door.DisposeAsync();
        _tree.Dispose();
    }
}
