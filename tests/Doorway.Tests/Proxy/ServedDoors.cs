using System.Security.Cryptography;
using Doorway.Tests.Support;

namespace Doorway.Tests.Proxy;

/// <summary>A temp root with the files the balancer tests fetch, and <c>doorway serve</c> instances on it.</summary>
internal sealed class ServedDoors : IAsyncDisposable
{
    private readonly List<RunningProcess> _processes = [];

    /// <param name="bigBytes">Size of big.bin, the file downloaded across a restart.</param>
    public ServedDoors(int bigBytes = 0)
    {
        Root = Path.Combine(Path.GetTempPath(), "doorway-balanced-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        File.WriteAllText(Path.Combine(Root, "a.txt"), "balanced\n");
        var random = new Random(12);
        var small = new byte[64 * 1024];
        random.NextBytes(small);
        File.WriteAllBytes(Path.Combine(Root, "small.bin"), small);
        Big = new byte[bigBytes];
        random.NextBytes(Big);
        File.WriteAllBytes(Path.Combine(Root, "big.bin"), Big);
        BigSha256 = Convert.ToHexStringLower(SHA256.HashData(Big));
    }

    public string Root { get; }

    public byte[] Big { get; }

    public string BigSha256 { get; }

    /// <summary>Starts <c>doorway serve</c> with only the file door, on <paramref name="port"/> (0: a free one); returns it and its port.</summary>
    public async Task<(RunningProcess Process, int Port)> StartAsync(int port, params string[] extra)
    {
        var process = RunningProcess.StartDoorway(["serve", "--tcp", "off", "--udp", "off", "--files", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", "127.0.0.1", "--root", Root, .. extra]);
        _processes.Add(process);
        return (process, await process.WaitForReadyAsync("files"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        Directory.Delete(Root, recursive: true);
    }
}
