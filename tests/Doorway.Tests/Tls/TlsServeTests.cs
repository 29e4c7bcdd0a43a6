using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Doorway.Tests.Bench;
using Doorway.Tests.Support;

namespace Doorway.Tests.Tls;

/// <summary>
/// TLS on every TCP door of a real <c>doorway serve --tls-self-signed</c>, driven by peers the
/// project did not write (openssl s_client, curl, Chromium) and by Doorway's own clients.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TlsServeTests : IClassFixture<TlsServer>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);
    private readonly TlsServer _server;

    public TlsServeTests(TlsServer server) => _server = server;

    private string Files(string host = "127.0.0.1") => $"https://{host}:{_server.FilesPort}";

    [Fact]
    public async Task Serve_made_the_development_certificate_for_the_loopback_names_and_printed_its_sha256()
    {
        Assert.StartsWith("tls made a development certificate", _server.FirstLine, StringComparison.Ordinal);
        var (code, stdout, stderr) = await RunningProcess.RunAsync("openssl", ["x509", "-in", _server.CertificatePath, "-noout", "-fingerprint", "-sha256", "-ext", "subjectAltName"], limit: Limit);
        Assert.True(code == 0, stderr);
        Assert.Contains($"sha256 Fingerprint={_server.Fingerprint}", stdout, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("DNS:localhost", stdout, StringComparison.Ordinal);
        Assert.Contains("IP Address:127.0.0.1", stdout, StringComparison.Ordinal);
        Assert.Contains("IP Address:0:0:0:0:0:0:0:1", stdout, StringComparison.Ordinal);
        string key = Path.Combine(Path.GetDirectoryName(_server.CertificatePath)!, "localhost.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
    }

    [Fact]
    public async Task Openssl_s_client_gets_the_upper_case_from_the_capitalize_door()
    {
        // -verify_return_error: the handshake fails unless the printed certificate verifies against the file.
        await using var client = RunningProcess.Start("openssl",
            ["s_client", "-connect", $"127.0.0.1:{_server.TcpPort}", "-servername", "localhost", "-CAfile", _server.CertificatePath,
             "-verify_return_error", "-quiet", "-ign_eof"]);
        await client.StandardInput.WriteAsync("hello over tls, straße\n");
        await client.StandardInput.FlushAsync();
        await client.WaitForLineAsync("HELLO OVER TLS, STRASSE");
    }

    [Fact]
    public async Task Curl_with_cacert_and_with_pinnedpubkey_downloads_10_MiB_whose_sha256_matches()
    {
        string one = Path.Combine(_server.Base, "curl-cacert-" + Guid.NewGuid().ToString("N"));
        var (code, stdout, stderr) = await RunningProcess.RunAsync("curl",
            ["-sS", "-v", "--cacert", _server.CertificatePath, "-o", one, "-w", "%{http_code} %{http_version}", $"{Files("localhost")}/big.bin"], limit: Limit);
        Assert.True(code == 0, stderr);
        Assert.Equal("200 1.1", stdout.TrimEnd());
        Assert.Contains("ALPN: server accepted http/1.1", stderr, StringComparison.Ordinal);
        Assert.Equal(_server.BigFileSha256, await Sha256Async(one));

        string spki = await SpkiPinAsync();
        string two = Path.Combine(_server.Base, "curl-pin-" + Guid.NewGuid().ToString("N"));
        // -k: no chain check, so only the pin stands between curl and the server.
        (code, _, stderr) = await RunningProcess.RunAsync("curl", ["-sS", "-k", "--pinnedpubkey", "sha256//" + spki, "-o", two, $"{Files()}/big.bin"], limit: Limit);
        Assert.True(code == 0, stderr);
        Assert.Equal(_server.BigFileSha256, await Sha256Async(two));

        // The pin is checked: another key's is refused (curl's exit 90, SSL public key does not match pinned public key).
        string wrong = Convert.ToBase64String(SHA256.HashData("another key"u8));
        (code, _, _) = await RunningProcess.RunAsync("curl", ["-sS", "-k", "--pinnedpubkey", "sha256//" + wrong, "-o", "/dev/null", $"{Files()}/hello.txt"], limit: Limit);
        Assert.Equal(90, code);
    }

    [Fact]
    public async Task Chromium_loads_the_listing_over_https_when_it_trusts_the_key_and_not_otherwise()
    {
        string spki = await SpkiPinAsync();
        string profile = Path.Combine(_server.Base, "chromium-" + Guid.NewGuid().ToString("N"));
        var (code, dom, stderr) = await ChromiumAsync(profile, "--ignore-certificate-errors-spki-list=" + spki, "--dump-dom", $"{Files("localhost")}/");
        Assert.True(code == 0, stderr);
        Assert.Contains("hello.txt", dom, StringComparison.Ordinal);
        Assert.Contains("big.bin", dom, StringComparison.Ordinal);

        // The same page without the key trusted: Chromium refuses the self-signed certificate.
        (_, dom, _) = await ChromiumAsync(profile + "-untrusted", "--dump-dom", $"{Files("localhost")}/");
        Assert.DoesNotContain("hello.txt", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_and_tls_clients_are_served_on_the_same_port_at_the_same_time()
    {
        var endPoint = new IPEndPoint(IPAddress.Loopback, _server.TcpPort);
        using var plain = await Sockets.ConnectAsync(endPoint);
        using var tcp = await Sockets.ConnectAsync(endPoint);
        await using var tls = await HandshakeAsync(tcp, "localhost");
        for (int round = 0; round < 3; round++)
        {
            // Both connections open; each answered in its own dialect, turn by turn.
            Assert.Equal($"PLAIN {round}\n", await Sockets.ExchangeAsync(plain, $"plain {round}\n", $"PLAIN {round}\n"));
            await tls.WriteAsync(Encoding.UTF8.GetBytes($"secret {round}\n")).WithDeadline();
            Assert.Equal($"SECRET {round}\n", await ReadAsync(tls, $"SECRET {round}\n".Length));
        }

        Assert.True(SslProtocols13Or12(tls.SslProtocol), tls.SslProtocol.ToString());

        // The file door too: curl over http:// and https:// to one port at once.
        var http = RunningProcess.RunAsync("curl", ["-sS", $"http://127.0.0.1:{_server.FilesPort}/hello.txt"], limit: Limit);
        var https = RunningProcess.RunAsync("curl", ["-sS", "--cacert", _server.CertificatePath, $"{Files("localhost")}/hello.txt"], limit: Limit);
        await Task.WhenAll(http, https);
        Assert.Equal("hello over tls\n", (await http).Stdout);
        Assert.Equal("hello over tls\n", (await https).Stdout);
    }

    [Fact]
    public async Task A_client_that_sends_part_of_a_ClientHello_and_stalls_is_closed_by_the_handshake_timeout()
    {
        using var socket = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _server.TcpPort));
        // A handshake record header promising 512 bytes (RFC 8446 §5.1), then the start of a ClientHello, then nothing.
        byte[] partial = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03];
        var started = Stopwatch.StartNew();
        await socket.SendAsync(partial).WithDeadline();
        Assert.True(await Sockets.IsClosedByServerAsync(socket, TimeSpan.FromSeconds(15)));
        // --tls-handshake-timeout 1 (the heartbeat's granularity added), far below the 60 s idle timeout.
        Assert.InRange(started.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        await Deadline.UntilAsync(() => _server.Process.Stderr.Contains("no TLS handshake within 00:00:01; closed (TlsHandshake)", StringComparison.Ordinal), "the handshake timeout's log line");

        // The door is fine afterwards.
        using var next = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _server.TcpPort));
        Assert.Equal("STILL HERE\n", await Sockets.ExchangeAsync(next, "still here\n", "STILL HERE\n"));
    }

    [Fact]
    public async Task Tls_1_0_and_1_1_are_refused_while_1_2_and_1_3_are_served()
    {
        // First prove this openssl can speak TLS 1.1 at all (Debian's default security level forbids it; SECLEVEL=0 allows it):
        // against its own s_server offering only 1.1, the handshake succeeds.
        string key = Path.Combine(Path.GetDirectoryName(_server.CertificatePath)!, "localhost.key");
        await using (var old = RunningProcess.Start("openssl",
            ["s_server", "-accept", "127.0.0.1:0", "-cert", _server.CertificatePath, "-key", key, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0", "-naccept", "1"]))
        {
            string accept = await old.WaitForLineAsync("ACCEPT ");
            string port = accept[(accept.LastIndexOf(':') + 1)..];
            var (code, stdout, stderr) = await RunningProcess.RunAsync("openssl",
                ["s_client", "-connect", "127.0.0.1:" + port, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"], stdin: "", limit: Limit);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains("Protocol  : TLSv1.1", stdout, StringComparison.Ordinal);
        }

        foreach (string version in new[] { "-tls1", "-tls1_1" })
        {
            var (code, stdout, stderr) = await RunningProcess.RunAsync("openssl",
                ["s_client", "-connect", $"127.0.0.1:{_server.TcpPort}", version, "-cipher", "DEFAULT@SECLEVEL=0"], stdin: "", limit: Limit);
            Assert.NotEqual(0, code);
            // The server's refusal, not the client's: alert 70, protocol_version (RFC 8446 §6.2).
            Assert.Contains("alert protocol version", stdout + stderr, StringComparison.Ordinal);
        }

        foreach (var (flag, name) in new[] { ("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3") })
        {
            var (code, stdout, stderr) = await RunningProcess.RunAsync("openssl",
                ["s_client", "-connect", $"127.0.0.1:{_server.TcpPort}", flag, "-CAfile", _server.CertificatePath, "-verify_return_error"], stdin: "", limit: Limit);
            Assert.True(code == 0, stdout + stderr);
            Assert.Contains($"New, {name}, Cipher is", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Doorway_clients_trust_the_server_by_pin_or_by_cacert()
    {
        var (code, stdout, stderr) = await Doorway("capitalize", "--server", $"127.0.0.1:{_server.TcpPort}", "--pin", _server.Fingerprint, "pinned", "straße");
        Assert.True(code == 0, stderr);
        Assert.Equal("PINNED STRASSE\n", stdout);

        // The pin as hex without colons, lower case, works the same.
        (code, stdout, stderr) = await Doorway("capitalize", "--server", $"localhost:{_server.TcpPort}", "--pin", _server.Fingerprint.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant(), "again");
        Assert.True(code == 0, stderr);
        Assert.Equal("AGAIN\n", stdout);

        (code, stdout, stderr) = await Doorway("capitalize", "--server", $"localhost:{_server.TcpPort}", "--cacert", _server.CertificatePath, "by", "ca");
        Assert.True(code == 0, stderr);
        Assert.Equal("BY CA\n", stdout);

        string saved = Path.Combine(_server.Base, "get-" + Guid.NewGuid().ToString("N"));
        (code, _, stderr) = await Doorway("get", $"{Files("localhost")}/big.bin", "--cacert", _server.CertificatePath, "-o", saved);
        Assert.True(code == 0, stderr);
        Assert.Contains("SHA-256 verified", stderr, StringComparison.Ordinal);
        Assert.Equal(_server.BigFileSha256, await Sha256Async(saved));

        (code, stdout, stderr) = await Doorway("bench", "tcp", "--server", $"127.0.0.1:{_server.TcpPort}", "--tls", "--pin", _server.Fingerprint,
            "--connections", "4", "--duration", "1", "--warmup", "0", "--json");
        Assert.True(code == 0, stderr);
        var result = BenchJson.Parse(stdout);
        Assert.True(result.Number("messagesPerSecond") > 0, stdout);
        Assert.Equal(0, result.Number("errors"));
        Assert.Equal(0, result.Number("mismatches"));
    }

    [Fact]
    public async Task An_untrusted_certificate_is_one_line_with_its_fingerprint_and_exit_code_3()
    {
        var (code, stdout, stderr) = await Doorway("capitalize", "--server", $"127.0.0.1:{_server.TcpPort}", "--tls", "hello");
        Assert.Equal(3, code);
        Assert.Equal("", stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"doorway: 127.0.0.1:{_server.TcpPort}: the server's certificate is not trusted: self-signed (CN=localhost, SHA-256 {_server.Fingerprint}); trust it with --cacert FILE or --pin {_server.Fingerprint}", line);

        string other = "AB:" + string.Join(':', Enumerable.Repeat("00", 31));
        (code, _, stderr) = await Doorway("get", $"{Files()}/hello.txt", "--pin", other, "-o", "-");
        Assert.Equal(3, code);
        line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"is not the pinned one ({other})", line, StringComparison.Ordinal);

        // https:// alone is TLS with the system's roots, which don't include the development certificate.
        (code, _, stderr) = await Doorway("get", $"{Files()}/hello.txt", "-o", "-");
        Assert.Equal(3, code);
        Assert.Contains("not trusted", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);

        // A bad pin is a usage error before any connection.
        (code, _, stderr) = await Doorway("capitalize", "--server", $"127.0.0.1:{_server.TcpPort}", "--pin", "12:34", "hello");
        Assert.Equal(2, code);
        Assert.Contains("--pin takes a SHA-256 fingerprint", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reply_door_speaks_tls_and_still_answers_a_plaintext_client_that_never_speaks()
    {
        await using var client = RunningProcess.Start("openssl",
            ["s_client", "-connect", $"127.0.0.1:{_server.ReplyPort}", "-quiet", "-ign_eof", "-CAfile", _server.CertificatePath, "-verify_return_error", "-servername", "localhost"]);
        await client.StandardInput.WriteAsync("over tls\n");
        await client.StandardInput.FlushAsync();
        Assert.Equal(0, await client.WaitForExitAsync());
        Assert.Contains("Thanks", client.Stdout, StringComparison.OrdinalIgnoreCase);

        // The book's silent client: no first byte to sniff, so after the reply door's request timeout it is plaintext, and answered.
        using var silent = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _server.ReplyPort));
        byte[] answer = await Sockets.ReceiveToEndAsync(silent, TimeSpan.FromSeconds(20));
        Assert.Contains("thanks", Encoding.UTF8.GetString(answer), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Tls_only_refuses_plaintext_cleanly_and_a_second_serve_reuses_the_certificate()
    {
        await using var only = _server.Start(["--tls-only", "--tls-self-signed"]);
        Assert.StartsWith("tls development certificate ", await only.WaitForLineAsync("tls "), StringComparison.Ordinal);
        Assert.Equal("tls sha256 " + _server.Fingerprint, await only.WaitForLineAsync("tls sha256 "));
        int tcp = await only.WaitForReadyAsync("tcp");
        int files = await only.WaitForReadyAsync("files");

        // A plain HTTP request gets a 400 that says what to do, not a reset.
        var (code, stdout, stderr) = await RunningProcess.RunAsync("curl", ["-sS", "-w", "\n%{http_code}", $"http://127.0.0.1:{files}/hello.txt"], limit: Limit);
        Assert.True(code == 0, stderr);
        Assert.Equal("400 Bad Request: this door speaks HTTPS only; use https://\n\n400", stdout.TrimEnd());

        // A plaintext capitalize client: closed with a FIN, nothing answered, no reset.
        using (var plain = await Sockets.ConnectAsync(new IPEndPoint(IPAddress.Loopback, tcp)))
        {
            await plain.SendAsync("not tls\n"u8.ToArray()).WithDeadline();
            Assert.Empty(await Sockets.ReceiveToEndAsync(plain));
        }

        (code, stdout, stderr) = await Doorway("capitalize", "--server", $"127.0.0.1:{tcp}", "--pin", _server.Fingerprint, "only", "tls");
        Assert.True(code == 0, stderr);
        Assert.Equal("ONLY TLS\n", stdout);
        (code, stdout, stderr) = await RunningProcess.RunAsync("curl", ["-sS", "--cacert", _server.CertificatePath, $"https://localhost:{files}/hello.txt"], limit: Limit);
        Assert.True(code == 0, stderr);
        Assert.Equal("hello over tls\n", stdout);
    }

    [Fact]
    public async Task Serve_takes_a_pem_certificate_and_key_made_by_openssl()
    {
        string directory = Path.Combine(_server.Base, "openssl-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        string cert = Path.Combine(directory, "rsa.crt");
        string key = Path.Combine(directory, "rsa.key");
        var (code, _, stderr) = await RunningProcess.RunAsync("openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], limit: Limit);
        Assert.True(code == 0, stderr);
        var (_, fingerprint, _) = await RunningProcess.RunAsync("openssl", ["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"], limit: Limit);

        await using var served = _server.Start(["--tls-cert", cert, "--tls-key", key]);
        string printed = (await served.WaitForLineAsync("tls sha256 "))["tls sha256 ".Length..];
        Assert.Equal(fingerprint.Trim()[(fingerprint.IndexOf('=', StringComparison.Ordinal) + 1)..], printed);
        int tcp = await served.WaitForReadyAsync("tcp");
        string stdout;
        (code, stdout, stderr) = await Doorway("capitalize", "--server", $"localhost:{tcp}", "--cacert", cert, "rsa");
        Assert.True(code == 0, stderr);
        Assert.Equal("RSA\n", stdout);

        // A key that is not the certificate's: one line, exit 1, no door opened.
        string otherKey = Path.Combine(directory, "other.key");
        (code, _, stderr) = await RunningProcess.RunAsync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", otherKey], limit: Limit);
        Assert.True(code == 0, stderr);
        (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(["serve", "--tcp", "0", "--files", "off", "--udp", "off", "--bind", "127.0.0.1", "--tls-cert", cert, "--tls-key", otherKey], limit: Limit);
        Assert.Equal(1, code);
        Assert.DoesNotContain("ready", stdout, StringComparison.Ordinal);
        Assert.StartsWith("doorway: TLS: ", Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    private static bool SslProtocols13Or12(System.Security.Authentication.SslProtocols protocol) =>
        protocol is System.Security.Authentication.SslProtocols.Tls13 or System.Security.Authentication.SslProtocols.Tls12;

    private async Task<SslStream> HandshakeAsync(Socket socket, string host)
    {
        var trusted = X509CertificateLoader.LoadCertificateFromFile(_server.CertificatePath);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false));
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == trusted.GetCertHashString(),
        }).WithDeadline();
        return ssl;
    }

    private static async Task<string> ReadAsync(Stream stream, int count)
    {
        byte[] buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).WithDeadline();
        return Encoding.UTF8.GetString(buffer);
    }

    /// <summary>The SHA-256 of the certificate's public key, base64, as curl's --pinnedpubkey and Chromium's SPKI list take it: computed by openssl.</summary>
    private async Task<string> SpkiPinAsync()
    {
        var (code, stdout, stderr) = await RunningProcess.RunAsync("sh",
            ["-c", "openssl x509 -in \"$1\" -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64", "spki", _server.CertificatePath], limit: Limit);
        Assert.True(code == 0, stderr);
        return stdout.Trim();
    }

    private static async Task<string> Sha256Async(string path)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
    }

    private static Task<(int Code, string Stdout, string Stderr)> Doorway(params string[] args) => RunningProcess.RunDoorwayAsync(args, limit: Limit);

    private static Task<(int Code, string Stdout, string Stderr)> ChromiumAsync(string profile, params string[] args) =>
        RunningProcess.RunAsync("chromium",
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--user-data-dir=" + profile, .. args,
        ], limit: TimeSpan.FromSeconds(90));
}
