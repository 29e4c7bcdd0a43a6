using System.Text;
using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

public sealed class FileRootTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    public static TheoryData<string> Corpus()
    {
        var data = new TheoryData<string>();
        foreach (var name in TraversalCorpus.SeedNames())
        {
            data.Add(Convert.ToHexString(name));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Every_traversal_name_is_refused_or_not_a_file(string hex)
    {
        var root = new FileRoot(_tree.Root);
        var lookup = root.Resolve(Convert.FromHexString(hex));
        Assert.NotEqual(FileLookupKind.File, lookup.Kind);
        if (lookup.FullPath is not null)
        {
            Assert.True(root.Contains(lookup.FullPath), lookup.FullPath);
        }
    }

    [Theory]
    [InlineData("a.txt")]
    [InlineData("中文.txt")]
    [InlineData("sub/inner.txt")]
    [InlineData("link-in")]
    [InlineData("link-dir-in/inner.txt")]
    [InlineData("empty")]
    public void Names_inside_the_root_are_files(string name)
    {
        var lookup = new FileRoot(_tree.Root).Resolve(Encoding.UTF8.GetBytes(name));
        Assert.Equal(FileLookupKind.File, lookup.Kind);
        Assert.StartsWith(new FileRoot(_tree.Root).Directory + "/", lookup.FullPath, StringComparison.Ordinal);
    }

    [Fact]
    public void Symlink_out_of_the_root_is_refused_with_its_reason()
    {
        var lookup = new FileRoot(_tree.Root).Resolve("link-out"u8);
        Assert.Equal(FileLookupKind.Refused, lookup.Kind);
        Assert.Contains("outside", lookup.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sibling_whose_name_extends_the_roots_is_outside()
    {
        // base/root2 starts with base/root as a string, not as a path.
        var root = new FileRoot(_tree.Root);
        Assert.False(root.Contains(root.Directory + "2/secret.txt"));
        Assert.True(root.Contains(root.Directory + "/x"));
        Assert.True(root.Contains(root.Directory));
        Assert.Equal(FileLookupKind.Refused, root.Resolve("link-sibling/secret.txt"u8).Kind);
    }

    [Fact]
    public void Missing_and_empty_are_told_apart()
    {
        var root = new FileRoot(_tree.Root);
        Assert.Equal(FileLookupKind.Missing, root.Resolve("nothing-here"u8).Kind);
        Assert.Equal(FileLookupKind.File, root.Resolve("empty"u8).Kind);
    }

    [Fact]
    public void Hidden_names_are_served_only_with_hidden()
    {
        Assert.Equal(FileLookupKind.Refused, new FileRoot(_tree.Root).Resolve(".hidden"u8).Kind);
        Assert.Equal(FileLookupKind.File, new FileRoot(_tree.Root, showHidden: true).Resolve(".hidden"u8).Kind);
        Assert.False(new FileRoot(_tree.Root).IsVisible(".hidden"));
    }

    [Fact]
    public void A_root_given_through_a_symlink_confines_to_its_target()
    {
        string link = Path.Combine(_tree.Base, "root-link");
        Directory.CreateSymbolicLink(link, _tree.Root);
        var root = new FileRoot(link);
        Assert.Equal(FileLookupKind.File, root.Resolve("a.txt"u8).Kind);
        Assert.Equal(FileLookupKind.Refused, root.Resolve("link-out"u8).Kind);
    }

    [Fact]
    public void The_empty_name_is_the_root_only_when_allowed()
    {
        var root = new FileRoot(_tree.Root);
        Assert.Equal(FileLookupKind.Refused, root.Resolve([]).Kind);
        Assert.Equal(FileLookupKind.Directory, root.Resolve([], allowRoot: true).Kind);
    }

    [Fact]
    public void A_root_that_is_not_a_directory_is_an_error()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new FileRoot(Path.Combine(_tree.Root, "a.txt")));
        Assert.Throws<DirectoryNotFoundException>(() => new FileRoot(Path.Combine(_tree.Root, "none")));
    }
}
