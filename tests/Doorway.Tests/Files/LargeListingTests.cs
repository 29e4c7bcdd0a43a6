using System.Text;
using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>A 30,000-entry directory asked for by 32 clients at once: read and rendered once, 10,000 rows kept.</summary>
public sealed class LargeListingTests : IDisposable
{
    private const int Files = 30_000;
    private const int Clients = 32;
    private readonly MemoryDirectory _base = new();

    public LargeListingTests()
    {
        Directory.CreateDirectory(Path.Combine(_base.Path, "many"));
        for (int i = 0; i < Files; i++)
        {
            File.WriteAllBytes(Path.Combine(_base.Path, "many", $"file-{i:D5}.txt"), []);
        }
    }

    public void Dispose() => _base.Dispose();

    [Fact]
    public void Thirty_two_clients_at_once_share_one_rendering_of_the_first_ten_thousand_rows()
    {
        using var root = new FileRoot(_base.Path);
        var cache = new ListingCache(root);
        var pages = new ListingPage?[Clients];
        var errors = new Exception?[Clients];
        using var start = new Barrier(Clients);
        // Threads of their own: 32 callers blocked at once would starve a 2-core thread pool.
        var threads = Enumerable.Range(0, Clients).Select(i => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                var result = root.Open("many/"u8);
                using var directory = result.File!;
                pages[i] = cache.GetPage(directory, "/many/");
            }
            catch (Exception e)
            {
                errors[i] = e;
            }
        })).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            Assert.True(thread.Join(TimeSpan.FromSeconds(120)), "a client did not get its page");
        }

        Assert.All(errors, Assert.Null);
        Assert.Equal(1, cache.Renders);
        var page = pages[0]!;
        Assert.All(pages, p => Assert.Same(page, p));
        Assert.Equal(DirectoryListing.MaxEntries, page.Entries);
        Assert.Equal(Files - DirectoryListing.MaxEntries, page.NotShown);
        string html = Encoding.UTF8.GetString(page.Content.Span);
        Assert.Contains("10000 entries; 20000 more not shown", html, StringComparison.Ordinal);
        Assert.Equal(DirectoryListing.MaxEntries, html.Split("title=\"0 bytes\"").Length - 1);
    }
}
