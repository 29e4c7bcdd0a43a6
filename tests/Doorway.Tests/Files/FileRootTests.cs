using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>The root itself: how it is found, what lies under it, what it hides; each through openat2 and the checked fallback.</summary>
public sealed class FileRootTests : IDisposable
{
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    private static FileRoot Root(string directory, bool fallback, bool showHidden = false)
    {
        var root = new FileRoot(directory, showHidden);
        if (fallback)
        {
            root.UseCheckedFallback();
        }

        return root;
    }

    private static (FileOpenKind Kind, string Reason) Verdict(FileRoot root, ReadOnlySpan<byte> name)
    {
        var result = root.Open(name);
        result.File?.Dispose();
        return (result.Kind, result.Reason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Symlink_out_of_the_root_is_refused_with_its_reason(bool fallback)
    {
        using var root = Root(_tree.Root, fallback);
        Assert.Equal((FileOpenKind.Refused, "symlink leads outside the root"), Verdict(root, "link-out"u8));
        Assert.Equal((FileOpenKind.Refused, "symlink leads outside the root"), Verdict(root, "link-out-relative"u8));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_sibling_whose_name_extends_the_roots_is_outside(bool fallback)
    {
        // base/root2 starts with base/root as a string, not as a path. The fallback compares the
        // resolved path with the root's, so this is where a string comparison would let it through.
        using var root = Root(_tree.Root, fallback);
        Assert.Equal((FileOpenKind.Refused, "symlink leads outside the root"), Verdict(root, "link-sibling/secret.txt"u8));
        Assert.Equal((FileOpenKind.Refused, "symlink leads outside the root"), Verdict(root, "link-sibling"u8));
        // By whole components the root itself and what lies under it are inside.
        using (var self = root.Open([], allowRoot: true).File!)
        {
            Assert.Equal(root.Directory, FileOpenTests.OpenedPath(self));
        }

        using var under = root.Open("sub/inner.txt"u8).File!;
        Assert.Equal(root.Directory + "/sub/inner.txt", FileOpenTests.OpenedPath(under));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Missing_and_empty_are_told_apart(bool fallback)
    {
        using var root = Root(_tree.Root, fallback);
        Assert.Equal((FileOpenKind.Missing, "no such file"), Verdict(root, "nothing-here"u8));
        var empty = root.Open("empty"u8);
        using var file = empty.File;
        Assert.Equal(FileOpenKind.File, empty.Kind);
        Assert.Equal(0, file!.Length);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Hidden_names_are_served_only_with_hidden(bool fallback)
    {
        using (var root = Root(_tree.Root, fallback))
        {
            Assert.Equal((FileOpenKind.Refused, "hidden name (served only when hidden names are shown)"), Verdict(root, ".hidden"u8));
        }

        using var shown = Root(_tree.Root, fallback, showHidden: true);
        Assert.Equal(FileOpenKind.File, Verdict(shown, ".hidden"u8).Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_root_given_through_a_symlink_confines_to_its_target(bool fallback)
    {
        string link = Path.Combine(_tree.Base, "root-link");
        Directory.CreateSymbolicLink(link, _tree.Root);
        using var root = Root(link, fallback);
        Assert.Equal(_tree.Root, root.Directory);
        Assert.Equal(FileOpenKind.File, Verdict(root, "a.txt"u8).Kind);
        Assert.Equal(FileOpenKind.Refused, Verdict(root, "link-out"u8).Kind);
        Assert.Equal(FileOpenKind.Refused, Verdict(root, "link-sibling/secret.txt"u8).Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_empty_name_is_the_root_only_when_allowed(bool fallback)
    {
        using var root = Root(_tree.Root, fallback);
        Assert.Equal((FileOpenKind.Refused, "empty name"), Verdict(root, []));
        var result = root.Open([], allowRoot: true);
        using var directory = result.File;
        Assert.Equal(FileOpenKind.Directory, result.Kind);
        Assert.True(directory!.IsDirectory);
    }

    [Fact]
    public void A_root_that_is_not_a_directory_is_an_error()
    {
        Assert.Throws<DirectoryNotFoundException>(() => new FileRoot(Path.Combine(_tree.Root, "a.txt")));
        Assert.Throws<DirectoryNotFoundException>(() => new FileRoot(Path.Combine(_tree.Root, "none")));
    }
}
