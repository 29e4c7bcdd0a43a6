using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Doorway.Files;
using Xunit;

namespace Doorway.Tests.Files;

/// <summary>What the senders get from an OpenedFile: pread, sendfile through SendPackets, a duplicate, a version.</summary>
public sealed class OpenedFileTests : IDisposable
{
    private readonly TempTree _tree = new();
    private readonly FileRoot _root;

    public OpenedFileTests() => _root = new FileRoot(_tree.Root);

    public void Dispose()
    {
        _root.Dispose();
        _tree.Dispose();
    }

    private OpenedFile OpenFile(string name)
    {
        var result = _root.Open(System.Text.Encoding.UTF8.GetBytes(name));
        Assert.Equal(FileOpenKind.File, result.Kind);
        return result.File!;
    }

    [Fact]
    public async Task SendPackets_sends_an_opened_file_over_loopback_with_sendfile()
    {
        string sha = _tree.MakeFile("big.bin", (3 * 1024 * 1024) + 17);
        using var file = OpenFile("big.bin");
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await client.ConnectAsync(listener.LocalEndPoint!, deadline.Token);
        using var server = await listener.AcceptAsync(deadline.Token);

        var receiving = Task.Run(async () =>
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await client.ReceiveAsync(buffer, deadline.Token)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                total += read;
            }

            return (total, Convert.ToHexStringLower(hash.GetHashAndReset()));
        });

        // Two elements over the one stream, as the sender's rounds are: the head of the file, then the rest.
        var done = new TaskCompletionSource<SocketError>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var args = new SocketAsyncEventArgs();
        args.Completed += (_, a) => done.TrySetResult(a.SocketError);
        args.SendPacketsElements =
        [
            new SendPacketsElement(file.Stream, 0, 1000, endOfPacket: false),
            new SendPacketsElement(file.Stream, 1000, (int)file.Length - 1000, endOfPacket: true),
        ];
        var error = server.SendPacketsAsync(args) ? await done.Task.WaitAsync(deadline.Token) : args.SocketError;
        Assert.Equal(SocketError.Success, error);
        server.Shutdown(SocketShutdown.Send);

        var (length, received) = await receiving;
        Assert.Equal(file.Length, length);
        Assert.Equal(sha, received);
        Assert.Same(file.Stream, file.Stream);
    }

    [Fact]
    public void Pread_and_the_stream_read_the_same_descriptor_and_dispose_closes_both()
    {
        var file = OpenFile("a.txt");
        byte[] head = new byte[5];
        Assert.Equal(5, RandomAccess.Read(file.Handle, head, 0));
        Assert.Equal("hello"u8.ToArray(), head);
        var stream = file.Stream;
        Assert.True(stream.IsAsync);
        Assert.Equal(file.Length, stream.Length);
        file.Dispose();
        Assert.True(file.Handle.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => stream.Length);
    }

    [Fact]
    public void A_directory_has_no_stream()
    {
        using var directory = _root.Open("sub"u8).File!;
        Assert.True(directory.IsDirectory);
        Assert.Throws<InvalidOperationException>(() => directory.Stream);
    }

    [Fact]
    public void A_duplicate_reads_the_same_file_after_the_original_is_closed()
    {
        Microsoft.Win32.SafeHandles.SafeFileHandle duplicate;
        using (var file = OpenFile("a.txt"))
        {
            duplicate = file.Duplicate();
        }

        using var owned = duplicate;
        byte[] buffer = new byte[16];
        int read = RandomAccess.Read(duplicate, buffer, 0);
        Assert.Equal("hello\n"u8.ToArray(), buffer[..read]);
    }

    [Fact]
    public void The_version_and_times_come_from_the_descriptor()
    {
        string path = _tree.PathOf("a.txt");
        var modified = new DateTime(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc).AddTicks(1234567);
        File.SetLastWriteTimeUtc(path, modified);
        using var first = OpenFile("a.txt");
        using var second = OpenFile("link-in");
        Assert.Equal(modified, first.ModifiedUtc);
        Assert.Equal(File.GetLastWriteTimeUtc(path), first.ModifiedUtc);
        Assert.Equal((modified - DateTime.UnixEpoch).Ticks * 100, first.ModifiedNanoseconds);
        Assert.Equal(6, first.Length);
        // The same file by two names is one version; a dictionary agrees.
        Assert.Equal(first.Version, second.Version);
        var versions = new HashSet<FileVersion> { first.Version, second.Version };
        Assert.Single(versions);

        File.AppendAllText(path, "more");
        using var third = OpenFile("a.txt");
        Assert.NotEqual(first.Version, third.Version);
        Assert.Equal(first.Version.Identity, third.Version.Identity);
        Assert.Equal(10, third.Length);
    }
}
