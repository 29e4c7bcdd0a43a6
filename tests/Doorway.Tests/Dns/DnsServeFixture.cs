using Doorway.Tests.Support;

namespace Doorway.Tests.Dns;

/// <summary>One <c>doorway serve --dns 0 --zone FILE</c> process on loopback for a class of peer tests.</summary>
public sealed class DnsServeFixture : IAsyncLifetime
{
    private RunningProcess? _serve;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "doorway-dns-" + Guid.NewGuid().ToString("N"));

    public int Port { get; private set; }

    internal RunningProcess Serve => _serve ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        string zone = DnsTestZone.Write(Directory);
        _serve = RunningProcess.StartDoorway("serve", "--tcp", "off", "--udp", "off", "--files", "off", "--bind", "127.0.0.1", "--dns", "0", "--zone", zone);
        Port = await _serve.WaitForReadyAsync("dns");
    }

    public async Task DisposeAsync()
    {
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }

        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
