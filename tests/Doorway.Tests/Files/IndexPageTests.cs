using System.Net;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>A directory with an index.html is a web page: the door serves the page, and the listing stays at ?list.</summary>
public sealed class IndexPageTests : IDisposable
{
    private const string Page = "<!doctype html><title>site</title><p>welcome</p>\n";

    private readonly TempTree _tree = new();

    public IndexPageTests()
    {
        Directory.CreateDirectory(_tree.PathOf("site"));
        File.WriteAllText(_tree.PathOf("site/index.html"), Page);
        File.WriteAllText(_tree.PathOf("site/other.txt"), "other\n");
    }

    public void Dispose() => _tree.Dispose();

    private static Task<string> GetAsync(IPEndPoint door, string target) =>
        FileClients.RawAsync(door, $"GET {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");

    [Fact]
    public async Task The_real_serve_answers_a_directory_with_its_index_html_and_lists_it_at_query_list()
    {
        await using var server = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1", "--root", _tree.Root);
        var door = new IPEndPoint(IPAddress.Loopback, await server.WaitForReadyAsync("files"));

        var index = HttpReply.Parse(await GetAsync(door, "/site/"));
        Assert.Equal(200, index.Status);
        Assert.Equal(Page, index.Text);
        Assert.StartsWith("text/html", index.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.True(index.Headers.ContainsKey("ETag"));

        var listing = HttpReply.Parse(await GetAsync(door, "/site/?list"));
        Assert.Equal(200, listing.Status);
        Assert.Contains("other.txt", listing.Text, StringComparison.Ordinal);
        Assert.Contains("index.html", listing.Text, StringComparison.Ordinal);

        // Without the slash, the redirect comes first, so the page's relative links resolve in its directory.
        var bare = HttpReply.Parse(await GetAsync(door, "/site"));
        Assert.Equal(301, bare.Status);
        Assert.Equal("/site/", bare.Headers["Location"]);

        // A directory without one is listed as before.
        var root = HttpReply.Parse(await GetAsync(door, "/"));
        Assert.Equal(200, root.Status);
        Assert.Contains("a.txt", root.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hidden_or_outside_index_is_not_served()
    {
        // index.html as a symlink leading outside the root: refused like any such name, so the listing it is.
        Directory.CreateDirectory(_tree.PathOf("trap"));
        File.CreateSymbolicLink(_tree.PathOf("trap/index.html"), Path.Combine(_tree.Base, "secret.txt"));
        await using var door = FileClients.Open(_tree.Root);
        var reply = HttpReply.Parse(await GetAsync(door.LocalEndPoint, "/trap/"));
        Assert.Equal(200, reply.Status);
        Assert.DoesNotContain(TempTree.Secret, reply.Text, StringComparison.Ordinal);
    }
}
