using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>What a new user does first on a fresh clone: the README's test command and its tour.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class FreshMachineTests
{
    [Fact]
    public async Task The_test_script_names_every_missing_package_when_it_cannot_install_them()
    {
        // A PATH with none of the programs the tests drive, and a user who cannot install them.
        string bin = Directory.CreateTempSubdirectory("doorway-path-").FullName;
        // Temporary directories are the creator's alone; the other user must read this one.
        File.SetUnixFileMode(bin, (UnixFileMode)0b111_101_101);
        try
        {
            foreach (string tool in new[] { "dirname", "id" })
            {
                File.CreateSymbolicLink(Path.Combine(bin, tool), Which(tool));
            }

            var (file, args) = Users.AsNonRoot("/usr/bin/env", $"PATH={bin}", "/bin/bash", Path.Combine(Repo.Root, "scripts", "test.sh"), "--deps");
            var (code, stdout, stderr) = await RunningProcess.RunAsync(file, args);
            Assert.Equal(1, code);
            Assert.Empty(stdout);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            // The same packages .ci/run relies on, named as apt-get takes them.
            foreach (string package in new[] { "python3", "curl", "netcat-openbsd", "bsdutils", "util-linux", "chromium", "strace", "gcc" })
            {
                Assert.Contains(" " + package, stderr, StringComparison.Ordinal);
            }

            Assert.Contains("apt-get install", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [Fact]
    public async Task The_test_script_finds_everything_on_this_machine()
    {
        // .ci/run and the README both run this script; here everything is installed, so --deps has nothing to do.
        var (code, stdout, stderr) = await RunningProcess.RunAsync("bash", [Path.Combine(Repo.Root, "scripts", "test.sh"), "--deps"]);
        Assert.True(code == 0, stderr);
        Assert.Empty(stdout + stderr);
        Assert.Contains("scripts/test.sh", await File.ReadAllTextAsync(Path.Combine(Repo.Root, ".ci", "run")), StringComparison.Ordinal);
        Assert.Contains("scripts/test.sh", await File.ReadAllTextAsync(Path.Combine(Repo.Root, "README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_readme_tour_serves_www_from_a_clone_and_get_fetches_hello()
    {
        // As the README says: `serve --root www` from the clone's top directory.
        await using var server = RunningProcess.Start("dotnet",
            [Repo.DoorwayDll, "serve", "--root", "www", "--tcp", "off", "--udp", "off", "--files", "0", "--bind", "127.0.0.1"],
            workingDirectory: Repo.Root);
        int port = await server.WaitForReadyAsync("files");

        string work = Directory.CreateTempSubdirectory("doorway-tour-").FullName;
        try
        {
            var (code, _, stderr) = await RunningProcess.RunAsync("dotnet",
                [Repo.DoorwayDll, "get", "hello.txt", "--server", $"127.0.0.1:{port}"], workingDirectory: work);
            Assert.True(code == 0, stderr + server.Stderr);
            Assert.Contains("(25 bytes, SHA-256 verified)", stderr, StringComparison.Ordinal);
            Assert.Equal("hello from the file door\n", await File.ReadAllTextAsync(Path.Combine(work, "hello.txt")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static string Which(string tool) =>
        new[] { "/usr/bin", "/bin" }.Select(dir => Path.Combine(dir, tool)).First(File.Exists);
}
