using System.Text.RegularExpressions;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary><c>doorway</c> as a command on PATH: the CLI packs as a .NET tool and installs as one.</summary>
[Collection(HeavyTests.Name)]
public sealed partial class ToolPackageTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("doorway-tool-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_cli_packs_as_the_doorway_tool_installs_into_a_tool_path_and_runs()
    {
        string feed = Path.Combine(_work, "feed");
        // The build the tests already made (the test project builds the CLI first), so nothing is rebuilt under them.
        var pack = await RunningProcess.RunAsync("dotnet",
            ["pack", Path.Combine(Repo.Root, "src", "Doorway.Cli"), "--no-build", "-c", Repo.Configuration, "-o", feed, "-nologo"],
            limit: TimeSpan.FromMinutes(3));
        Assert.True(pack.ExitCode == 0, pack.Stdout + pack.Stderr);
        string package = Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
        var version = PackageName().Match(Path.GetFileName(package));
        Assert.True(version.Success, package);

        // Only the local feed, and a package cache of its own: an older doorway 0.x cached on this
        // machine must not stand in for the one just packed, and no registry is asked.
        string config = Path.Combine(_work, "nuget.config");
        await File.WriteAllTextAsync(config,
            $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="feed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        string tools = Path.Combine(_work, "tools");
        var environment = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_work, "packages") };
        await using (var install = RunningProcess.Start("dotnet",
            ["tool", "install", "doorway", "--tool-path", tools, "--configfile", config, "--version", version.Groups["version"].Value],
            _work, environment))
        {
            install.StandardInput.Close();
            Assert.True(await install.WaitForExitAsync(TimeSpan.FromMinutes(3)) == 0, install.Stdout + install.Stderr);
        }

        // The tool's launcher finds the runtime where this test's dotnet has it.
        string dotnetRoot = Path.GetDirectoryName(new FileInfo(Environment.ProcessPath!).ResolveLinkTarget(returnFinalTarget: true)?.FullName
            ?? Environment.ProcessPath!)!;
        await using var doorway = RunningProcess.Start(Path.Combine(tools, "doorway"), ["--version"], _work,
            new Dictionary<string, string> { ["DOTNET_ROOT"] = dotnetRoot });
        doorway.StandardInput.Close();
        Assert.Equal(0, await doorway.WaitForExitAsync());
        Assert.StartsWith(version.Groups["version"].Value, doorway.Stdout, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^doorway\.(?<version>\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?)\.nupkg$")]
    private static partial Regex PackageName();
}
