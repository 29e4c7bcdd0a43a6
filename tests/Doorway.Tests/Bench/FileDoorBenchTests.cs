using Doorway.Tests.Support;

namespace Doorway.Tests.Bench;

public sealed class FileDoorBenchTests
{
    [Fact]
    public async Task Bench_files_drives_a_real_doorway_file_door_with_no_mismatches()
    {
        string root = Directory.CreateTempSubdirectory("doorway-bench-files-").FullName;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(root, "page.html"), new byte[10_000]);
            await using var serve = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "0", "--root", root, "--log-level", "warning");
            int port = await serve.WaitForReadyAsync("files");

            var (code, stdout, stderr) = await RunningProcess.RunDoorwayAsync(
                ["bench", "files", "--server", $"127.0.0.1:{port}", "--path", "/page.html", "--size", "10000",
                 "--connections", "3", "--pipeline", "2", "--duration", "1", "--warmup", "0.2", "--json"]);

            Assert.True(code == 0, stderr);
            var json = BenchJson.Parse(stdout);
            Assert.True(json.Number("messages") > 10, stdout);
            Assert.Equal(0, json.Number("mismatches"));
            Assert.Equal(0, json.Number("errors"));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
