using System.CommandLine;
using System.Net.Sockets;
using Doorway.Files.Client;
using Doorway.Transport;

namespace Doorway.Cli.Commands;

/// <summary>
/// <c>doorway get NAME</c>: downloads a file from the file door. HTTP by default (resume, verify);
/// <c>--raw</c> speaks the seed's dialect, which the book's server understands too.
/// </summary>
internal static class GetCommand
{
    public static Command Create()
    {
        var name = new Argument<string>("NAME") { Description = "The file's name on the server, relative to its root (for example docs/report.pdf)." };
        var server = CommonOptions.Server(8080, "The file door to download from.");
        var output = new Option<string?>("-o", "--output")
        {
            Description = "Save to FILE. Default: NAME's last component, in the current directory.",
            HelpName = "FILE",
        };
        var raw = new Option<bool>("--raw")
        {
            Description = "Speak the seed's dialect (name in, bytes out, close): works with the book's server; no resume, no verification.",
        };
        var force = new Option<bool>("--force") { Description = "Overwrite FILE if it already exists." };
        var timeout = CommonOptions.Seconds("--timeout", 10, "Seconds to wait for the connection, and for each piece of data.");

        var command = new Command("get", "Download a file from the file door: progress on a terminal, resume from FILE.part, SHA-256 checked against Repr-Digest.")
        {
            name, server, output, raw, force, timeout,
        };

        command.SetAction(async (parse, _) =>
        {
            if (CommonOptions.FindUnknownOption(parse) is string unknown)
            {
                return CommandLine.UsageError($"unknown option '{unknown}' (for a NAME that starts with '-', put '--' before it).");
            }

            using var shutdown = new Shutdown();
            string file = parse.GetValue(name)!;
            var target = parse.GetValue(server);
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

            var limit = parse.GetValue(timeout);
            bool seed = parse.GetValue(raw);
            try
            {
                var result = await DownloadProgressDisplay.RunAsync(file, progress => seed
                    ? new SeedFileClient(target, limit).DownloadAsync(file, destination, progress, shutdown.Token)
                    : new HttpFileClient(target, limit).DownloadAsync(file, destination, progress, shutdown.Token));
                string resumed = result.ResumedAt > 0 ? $", resumed at {result.ResumedAt}" : "";
                string verified = result.Verified ? ", SHA-256 verified" : seed ? "" : ", not verified (the server sent no Repr-Digest)";
                await Console.Error.WriteLineAsync($"saved {result.Path} ({result.Bytes} bytes{resumed}{verified})");
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
            catch (Exception e) when (e is SocketException or TimeoutException or IOException)
            {
                string kept = File.Exists(destination.PartPath) && !seed ? $"; {destination.PartPath} kept, run again to resume" : "";
                return CommandLine.Fail($"{target}: {NetworkErrors.Describe(e)}{kept}");
            }
        });
        return command;
    }

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
