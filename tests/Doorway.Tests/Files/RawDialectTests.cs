using System.Net;
using System.Text;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>The seed's download protocol over loopback: name in, whole file out, close.</summary>
public sealed class RawDialectTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(1024L * 1024)]
    public async Task Files_of_every_size_arrive_whole(long size)
    {
        string sha = _tree.MakeFile("f.bin", size);
        await using var door = FileClients.Open(_tree.Root);
        var (length, received) = await FileClients.SeedHashAsync(door.LocalEndPoint, "f.bin");
        Assert.Equal(size, length);
        Assert.Equal(sha, received);
    }

    [Fact]
    public async Task A_100_MiB_file_streams_whole_over_IPv4_and_IPv6()
    {
        string sha = _tree.MakeFile("big.bin", 100L * 1024 * 1024);
        foreach (var address in new[] { IPAddress.Loopback, IPAddress.IPv6Loopback })
        {
            await using var door = FileClients.Open(_tree.Root, address: address);
            var (length, received) = await FileClients.SeedHashAsync(door.LocalEndPoint, "big.bin\n");
            Assert.Equal(100L * 1024 * 1024, length);
            Assert.Equal(sha, received);
        }
    }

    [Theory]
    [InlineData("a.txt")]
    [InlineData("a.txt\n")]
    [InlineData("a.txt\r\n")]
    public async Task A_trailing_newline_is_ignored(string name)
    {
        await using var door = FileClients.Open(_tree.Root);
        Assert.Equal("hello\n", Encoding.UTF8.GetString(await FileClients.SeedAsync(door.LocalEndPoint, name)));
    }

    [Fact]
    public async Task UTF8_names_and_subdirectories_are_served()
    {
        await using var door = FileClients.Open(_tree.Root);
        Assert.Equal("你好，世界\n", Encoding.UTF8.GetString(await FileClients.SeedAsync(door.LocalEndPoint, "中文.txt")));
        Assert.Equal("inner\n", Encoding.UTF8.GetString(await FileClients.SeedAsync(door.LocalEndPoint, "sub/inner.txt")));
        Assert.Equal("hello\n", Encoding.UTF8.GetString(await FileClients.SeedAsync(door.LocalEndPoint, "link-in")));
    }

    [Fact]
    public async Task Missing_and_empty_both_send_no_bytes_as_in_the_seed()
    {
        // The seed dialect cannot tell them apart (HTTP can: 404 vs 200 with length 0).
        await using var door = FileClients.Open(_tree.Root);
        Assert.Empty(await FileClients.SeedAsync(door.LocalEndPoint, "empty"));
        Assert.Empty(await FileClients.SeedAsync(door.LocalEndPoint, "no-such-file"));
        Assert.Empty(await FileClients.SeedAsync(door.LocalEndPoint, "sub"));
    }

    [Fact]
    public async Task Every_traversal_name_gets_no_bytes()
    {
        await using var door = FileClients.Open(_tree.Root);
        foreach (var name in TraversalCorpus.SeedNames())
        {
            var reply = await FileClients.SeedAsync(door.LocalEndPoint, name);
            Assert.True(reply.Length == 0, $"{Convert.ToHexString(name)} got {reply.Length} bytes");
        }

        // The door still serves after all that.
        Assert.Equal("hello\n", Encoding.UTF8.GetString(await FileClients.SeedAsync(door.LocalEndPoint, "a.txt")));
    }

    [Fact]
    public async Task Hidden_files_are_served_with_hidden()
    {
        await using var door = FileClients.Open(_tree.Root, hidden: true);
        Assert.Equal(TempTree.Secret, Encoding.UTF8.GetString(await FileClients.SeedAsync(door.LocalEndPoint, ".hidden")));
    }

    [Fact]
    public async Task A_name_over_the_limit_gets_no_bytes()
    {
        string longName = new string('a', 200) + ".txt";
        File.WriteAllText(_tree.PathOf(new string('a', 100)), "x");
        await using var door = FileClients.Open(_tree.Root, Doorway.Files.FileDoorOptions.Default with { MaxRequestLineBytes = 100 });
        using var socket = await FileClients.ConnectAsync(door.LocalEndPoint);
        // Sent in pieces so the door has to keep reading past its limit.
        for (int i = 0; i < longName.Length; i += 50)
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(longName.Substring(i, Math.Min(50, longName.Length - i)))).WithDeadline();
        }

        Assert.Empty(await FileClients.ReadToEndAsync(socket));
    }

    [Fact]
    public async Task Nc_downloads_a_file()
    {
        string sha = _tree.MakeFile("nc.bin", 300_000);
        await using var door = FileClients.Open(_tree.Root);
        string output = Path.Combine(_tree.Base, "nc.out");
        var (code, _, stderr) = await RunningProcess.RunAsync("sh",
            ["-c", $"echo nc.bin | nc -N 127.0.0.1 {door.LocalEndPoint.Port} > '{output}'"]);
        Assert.True(code == 0, stderr);
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(output)));
    }

    [Fact]
    public async Task The_books_client_without_newline_or_half_close_gets_the_whole_file()
    {
        string sha = _tree.MakeFile("book.bin", 5000);
        await using var door = FileClients.Open(_tree.Root);
        string output = Path.Combine(_tree.Base, "book.out");
        var (code, _, stderr) = await RunningProcess.RunAsync("python3",
            [Repo.Client("seed_get.py"), "127.0.0.1", door.LocalEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "book.bin", output]);
        Assert.True(code == 0, stderr);
        Assert.Equal(sha, TempTree.Sha256(File.ReadAllBytes(output)));
    }
}
