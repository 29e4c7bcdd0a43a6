using Doorway.Tests.Support;

namespace Doorway.Tests.Bench;

/// <summary>The native epoll capitalize server (bench/native), built once per test run.</summary>
internal static class NativeBaseline
{
    private static readonly Lazy<Task> Built = new(BuildAsync);

    public static async Task<(RunningProcess Server, int Port)> StartTcpAsync()
    {
        await Built.Value;
        var server = RunningProcess.Start(Path.Combine(Repo.Root, "bench", "native", "bin", "epoll_capitalize"), ["--port", "0"]);
        try
        {
            return (server, await server.WaitForReadyAsync("tcp"));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static async Task BuildAsync()
    {
        var (code, _, stderr) = await RunningProcess.RunAsync("bash", [Path.Combine(Repo.Root, "bench", "native", "build.sh")], limit: TimeSpan.FromSeconds(120));
        if (code != 0)
        {
            throw new InvalidOperationException($"bench/native/build.sh failed: {stderr}");
        }
    }
}
