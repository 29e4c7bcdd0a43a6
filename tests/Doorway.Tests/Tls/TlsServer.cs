using System.Security.Cryptography;
using Doorway.Tests.Support;

namespace Doorway.Tests.Tls;

/// <summary>
/// One <c>doorway serve --tls-self-signed</c> (capitalize, file and reply doors on loopback, a
/// 1 s handshake timeout) shared by the TLS tests, with its own data directory, so the
/// development certificate is made fresh for it; and a 10 MiB file to download.
/// </summary>
public sealed class TlsServer : IAsyncLifetime
{
    public const int BigFileBytes = 10 * 1024 * 1024;

    public string Base { get; } = Path.Combine(Path.GetTempPath(), "doorway-tls-" + Guid.NewGuid().ToString("N"));

    public string Root => Path.Combine(Base, "root");

    /// <summary>Where the user's data directory is for the server (XDG_DATA_HOME).</summary>
    public string DataHome => Path.Combine(Base, "data");

    public string CertificatePath => Path.Combine(DataHome, "doorway", "tls", "localhost.crt");

    internal RunningProcess Process { get; private set; } = null!;

    public int TcpPort { get; private set; }

    public int FilesPort { get; private set; }

    public int ReplyPort { get; private set; }

    /// <summary>The fingerprint serve printed ("tls sha256 …").</summary>
    public string Fingerprint { get; private set; } = "";

    /// <summary>The first stdout line: the certificate was made (not found).</summary>
    public string FirstLine { get; private set; } = "";

    public string BigFileSha256 { get; private set; } = "";

    public IDictionary<string, string> Environment => new Dictionary<string, string> { ["XDG_DATA_HOME"] = DataHome };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        byte[] big = new byte[BigFileBytes];
        new Random(12).NextBytes(big);
        await File.WriteAllBytesAsync(Path.Combine(Root, "big.bin"), big);
        BigFileSha256 = Convert.ToHexStringLower(SHA256.HashData(big));
        await File.WriteAllTextAsync(Path.Combine(Root, "hello.txt"), "hello over tls\n");
        Process = Start(["--reply", "0", "--reply-request-timeout", "1", "--tls-self-signed", "--tls-handshake-timeout", "1"]);
        FirstLine = await Process.WaitForLineAsync("tls ");
        Fingerprint = (await Process.WaitForLineAsync("tls sha256 "))["tls sha256 ".Length..];
        TcpPort = await Process.WaitForReadyAsync("tcp");
        FilesPort = await Process.WaitForReadyAsync("files");
        ReplyPort = await Process.WaitForReadyAsync("reply");
    }

    /// <summary>Another serve on free loopback ports with the same data directory and root.</summary>
    internal RunningProcess Start(string[] args) => RunningProcess.Start("dotnet",
        [Repo.DoorwayDll, "serve", "--tcp", "0", "--files", "0", "--udp", "off", "--bind", "127.0.0.1", "--root", Root, "--log-level", "debug", .. args],
        environment: Environment);

    public async Task DisposeAsync()
    {
        await Process.DisposeAsync();
        Directory.Delete(Base, recursive: true);
    }
}
