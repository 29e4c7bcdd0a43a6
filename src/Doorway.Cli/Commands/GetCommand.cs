using System.CommandLine;
using System.Net.Sockets;
using Doorway.Files.Client;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>doorway get NAME|URL</c>: downloads a file from the file door. HTTP by default (resume, verify);
/// <c>--raw</c> speaks the raw dialect (name in, bytes out), which the book's server understands too.
/// </summary>
internal static class GetCommand
{
    private const int DefaultPort = 8080;

    public static Command Create()
    {
        var name = new Argument<string>("NAME|URL")
        {
            Description = "The file's name on the server, relative to its root (docs/report.pdf), or its URL (http://host:8080/docs/report.pdf).",
        };
        var server = CommonOptions.Server(DefaultPort, "The file door to download from (a URL names its own).");
        var output = new Option<string?>("-o", "--output")
        {
            Description = "Save to FILE (or into DIR); '-' writes the bytes to stdout. [default: NAME's last component, in the current directory]",
            HelpName = "FILE",
        };
        var raw = new Option<bool>("--raw")
        {
            Description = "Speak the raw dialect (name in, bytes out, close): works with the book's server; no resume, no verification.",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite FILE if it already exists." };
        var timeout = CommonOptions.Seconds("--timeout", 10, "Seconds to wait for the connection, and for each piece of data.");
        var tls = new ClientTlsFlags(withSwitch: true);
        var proxy = new Option<string?>("--proxy")
        {
            Description = "Ask this web cache or proxy (http://host:port) instead of the server; 'off' asks the server. [default: $http_proxy, unless $no_proxy names the server]",
            HelpName = "URL",
        };

        var command = new Command("get",
            "Download a file from the file door: progress on a terminal, resume from FILE.part, SHA-256 checked against Repr-Digest.\n\n" +
            "Examples:\n" +
            "  doorway get hello.txt\n" +
            "  doorway get http://127.0.0.1:8080/docs/report.pdf -o report.pdf\n" +
            "  doorway get big.iso -o - | sha256sum\n" +
            "  doorway get https://localhost:8080/hello.txt --cacert localhost.crt")
        {
            name, server, output, raw, force, timeout, proxy,
        };
        foreach (var option in tls.Options)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, _) =>
        {
            if (CommonOptions.FindUnknownOption(parse) is string unknown)
            {
                return CommandLine.UsageError($"unknown option '{unknown}' (for a NAME that starts with '-', put '--' before it).");
            }

            string file = parse.GetValue(name)!;
            var target = parse.GetValue(server);
            bool https = false;
            if (ClientTlsFlags.BothGiven(parse, tls))
            {
                return CommandLine.UsageError("give --cacert or --pin, not both.");
            }

            if (DownloadUrl.Looks(file))
            {
                if (parse.GetResult(server) is { Implicit: false })
                {
                    return CommandLine.UsageError("give the server in the URL or with --server, not both.");
                }

                if (!DownloadUrl.TryParse(file, DefaultPort, out var url, out string? problem))
                {
                    return CommandLine.UsageError(problem);
                }

                (target, file, https) = url;
                if (file.Length == 0 || file.EndsWith('/'))
                {
                    return CommandLine.Fail($"{parse.GetValue(name)} is a directory; name a file in it (its listing is at {(https ? "https" : "http")}://{target}/{HttpFileClient.EncodePath(file).TrimStart('/')})");
                }
            }

            var limit = parse.GetValue(timeout);
            bool seed = parse.GetValue(raw);
            ClientTls? trust;
            try
            {
                trust = tls.Resolve(parse, on: https);
            }
            catch (CertificateFileException e)
            {
                return CommandLine.UsageError($"--cacert: {e.Message}");
            }

            if (seed && trust is not null)
            {
                return CommandLine.UsageError("--raw speaks the book's plaintext dialect; it takes no https://, --tls, --cacert or --pin.");
            }

            // http_proxy is for http:// (as curl reads it); an https:// download through a cache would need CONNECT.
            string? proxyFlag = parse.GetValue(proxy);
            if (trust is not null && proxyFlag is not null && proxyFlag != "off")
            {
                return CommandLine.UsageError("--proxy is for http:// downloads; https:// through a proxy (a CONNECT tunnel) is not built.");
            }

            if (!ProxySetting.TryResolve(trust is null ? proxyFlag : "off", target, out var via, out string? proxyProblem))
            {
                return CommandLine.UsageError(proxyProblem);
            }

            if (seed && via is not null && proxyFlag is not null)
            {
                return CommandLine.UsageError("--raw speaks the raw dialect to the file door itself; a web cache speaks HTTP (drop --proxy or --raw).");
            }

            var proxied = seed ? null : via;
            using var shutdown = new Shutdown();
            if (parse.GetValue(output) == "-")
            {
                return await ToStdoutAsync(file, target, limit, seed, trust, proxied, shutdown);
            }

            DownloadTarget destination;
            try
            {
                destination = DownloadTarget.Choose(file, parse.GetValue(output), Environment.CurrentDirectory);
            }
            catch (DownloadException e)
            {
                return CommandLine.Fail(e.Message);
            }

            string? directory = Path.GetDirectoryName(destination.Path);
            if (directory is not null && !Directory.Exists(directory))
            {
                return CommandLine.Fail($"cannot save to {destination.Path}: no directory {directory} on this machine");
            }

            if (File.Exists(destination.Path) && !parse.GetValue(force))
            {
                return CommandLine.Fail($"{destination.Path} already exists; use --force to overwrite it");
            }

            try
            {
                var client = new HttpFileClient(target, limit, trust, proxied);
                var result = await DownloadProgressDisplay.RunAsync(file, progress => seed
                    ? new SeedFileClient(target, limit).DownloadAsync(file, destination, progress, shutdown.Token)
                    : client.DownloadAsync(file, destination, progress, shutdown.Token));
                string resumed = result.ResumedAt > 0 ? $", resumed at {result.ResumedAt}" : "";
                await Console.Error.WriteLineAsync($"saved {result.Path} ({result.Bytes} bytes{resumed}{Verified(result, seed)})");
                await ReportCacheAsync(client, proxied);
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
            {
                return CommandLine.Interrupted(Kept(destination, seed));
            }
            catch (DownloadException e)
            {
                return CommandLine.Fail(e.Message);
            }
            catch (Exception e) when (LocalFiles.IsLocal(e))
            {
                return CommandLine.Fail($"cannot write {destination.Path}: {LocalFiles.Describe(e)}");
            }
            catch (System.Security.Authentication.AuthenticationException e)
            {
                return ClientTlsFlags.Fail(target, e);
            }
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                string kept = File.Exists(destination.PartPath) && !seed ? $"; {destination.PartPath} kept, run again to resume" : "";
                return CommandLine.Fail($"{target}: {NetworkErrors.Describe(e)}{kept}");
            }
        });
        return command;
    }

    /// <summary>Through a cache, what it did (its Cache-Status, RFC 9211), on stderr after the download line.</summary>
    private static async Task ReportCacheAsync(HttpFileClient client, HostPort? proxy)
    {
        if (proxy is not null)
        {
            await Console.Error.WriteLineAsync($"via {proxy}: Cache-Status: {client.CacheStatus ?? "(none: not a cache that says)"}");
        }
    }

    /// <summary><c>-o -</c>: the bytes to stdout as they come, for a pipe; nothing on disk, so nothing to resume.</summary>
    private static async Task<int> ToStdoutAsync(string file, HostPort target, TimeSpan limit, bool seed, ClientTls? trust, HostPort? proxy, Shutdown shutdown)
    {
        try
        {
            await using var stdout = Console.OpenStandardOutput();
            var client = new HttpFileClient(target, limit, trust, proxy);
            var result = await DownloadProgressDisplay.RunAsync(file, progress => seed
                ? new SeedFileClient(target, limit).CopyToAsync(file, stdout, progress, shutdown.Token)
                : client.CopyToAsync(file, stdout, progress, shutdown.Token));
            await ReportCacheAsync(client, proxy);
            await Console.Error.WriteLineAsync($"wrote {result.Bytes} bytes to stdout{Verified(result, seed)}");
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (shutdown.Token.IsCancellationRequested)
        {
            return CommandLine.Interrupted("what reached stdout is incomplete");
        }
        catch (DownloadException e)
        {
            return CommandLine.Fail(e.Message);
        }
        catch (Exception e) when (LocalFiles.IsLocal(e))
        {
            return CommandLine.Fail($"cannot write to stdout: {LocalFiles.Describe(e)}");
        }
        catch (System.Security.Authentication.AuthenticationException e)
        {
            return ClientTlsFlags.Fail(target, e);
        }
        catch (Exception e) when (e is SocketException or TimeoutException or IOException)
        {
            return CommandLine.Fail($"{target}: {NetworkErrors.Describe(e)}");
        }
    }

    private static string Verified(DownloadResult result, bool seed) =>
        result.Verified ? ", SHA-256 verified" : seed ? "" : ", not verified (the server sent no Repr-Digest)";

    /// <summary>What an interrupted download leaves: a part to resume over HTTP; nothing with --raw, which cannot resume.</summary>
    private static string Kept(DownloadTarget destination, bool seed)
    {
        var part = new FileInfo(destination.PartPath);
        if (part.Exists && part.Length > 0 && !seed)
        {
            return $"{part.FullName} kept ({part.Length:N0} bytes); run the same command again to resume";
        }

        File.Delete(destination.PartPath);
        File.Delete(destination.ValidatorPath);
        return seed ? "nothing saved (a --raw download cannot resume)" : "nothing saved";
    }
}
