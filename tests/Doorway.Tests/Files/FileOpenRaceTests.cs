using System.Diagnostics;
using System.Text;
using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>
/// The attack openat2 is for: a directory on the path swapped for a symlink out of the root while
/// names are opened. Whatever the interleaving, no opened file may hold the outside file's bytes.
/// </summary>
public sealed class FileOpenRaceTests : IDisposable
{
    private const string Inside = "inside-the-root";
    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_directory_swapped_for_an_outside_symlink_never_serves_the_outside_file(bool fallback)
    {
        string outside = Path.Combine(_tree.Base, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "f.txt"), TempTree.Secret);
        Directory.CreateDirectory(_tree.PathOf("d"));
        File.WriteAllText(_tree.PathOf("d/f.txt"), Inside);
        string swap = _tree.PathOf("d-swap");
        Directory.CreateSymbolicLink(swap, "../outside");

        using var root = new FileRoot(_tree.Root);
        if (fallback)
        {
            root.UseCheckedFallback();
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        long swaps = 0;
        var swapper = Task.Run(() =>
        {
            string d = _tree.PathOf("d");
            string real = _tree.PathOf("d-real");
            while (!stop.IsCancellationRequested)
            {
                // One step where the kernel can (RENAME_EXCHANGE); else the symlink is renamed over
                // the name the directory just left, and back.
                if (!TestFileSystem.TryExchange(d, swap))
                {
                    Directory.Move(d, real);
                    Directory.Move(swap, d);
                    Directory.Move(d, swap);
                    Directory.Move(real, d);
                }

                swaps++;
            }
        });

        int files = 0, refused = 0, missing = 0, leaked = 0, opens = 0;
        byte[] buffer = new byte[64];
        var opener = Task.Run(() =>
        {
            // Bounded by time and by count, whichever comes first.
            for (; opens < 2_000_000 && !stop.IsCancellationRequested; opens++)
            {
                var result = root.Open("d/f.txt"u8);
                using var file = result.File;
                switch (result.Kind)
                {
                    case FileOpenKind.File:
                        int read = RandomAccess.Read(file!.Handle, buffer, 0);
                        string text = Encoding.UTF8.GetString(buffer, 0, read);
                        if (text != Inside)
                        {
                            leaked++;
                        }

                        files++;
                        break;
                    case FileOpenKind.Refused:
                        refused++;
                        break;
                    default:
                        missing++;
                        break;
                }
            }
        });

        var watch = Stopwatch.StartNew();
        await Task.WhenAll(swapper, opener).WaitAsync(TimeSpan.FromSeconds(60));
        string counts = $"{opens} opens in {watch.Elapsed.TotalSeconds:0.0} s, {swaps} swaps: {files} files, {refused} refused, {missing} missing, {leaked} leaked";
        Assert.True(leaked == 0, counts);
        // Both sides of the swap were seen, so the race really ran.
        Assert.True(files > 0 && refused > 0, counts);
    }
}
