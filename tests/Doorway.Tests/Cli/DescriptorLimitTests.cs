using System.Net;
using System.Net.Sockets;
using Doorway.Tests.Support;

namespace Doorway.Tests.Cli;

/// <summary>
/// systemd's default LimitNOFILE and `docker --ulimit` give a server 1,024 descriptors: past them
/// a server must refuse clients cleanly and keep serving, never abort (issue 8: it exited 134).
/// </summary>
[Collection(HeavyTests.Name)]
public sealed class DescriptorLimitTests
{
    [Fact]
    public async Task With_1024_descriptors_2000_clients_are_served_or_refused_cleanly_and_the_server_lives()
    {
        await using var server = RunningProcess.Start("prlimit", ["--nofile=1024:1024", "dotnet", Repo.DoorwayDll,
            "serve", "--tcp", "0", "--udp", "off", "--files", "off", "--bind", "127.0.0.1", "--log-level", "warning"]);
        int port = await server.WaitForReadyAsync("tcp");
        var endPoint = new IPEndPoint(IPAddress.Loopback, port);

        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < 2000; i++)
            {
                clients.Add(await Sockets.ConnectAsync(endPoint));
            }

            // Every client is either served or told plainly (end of stream), none left hanging.
            int served = 0, refused = 0;
            foreach (var client in clients)
            {
                await client.SendAsync("x"u8.ToArray());
                byte[] reply = new byte[1];
                int n = await client.ReceiveAsync(reply).WithDeadline(TimeSpan.FromSeconds(20));
                if (n == 1 && reply[0] == (byte)'X')
                {
                    served++;
                }
                else
                {
                    Assert.Equal(0, n);
                    refused++;
                }
            }

            Assert.Equal(2000, served + refused);
            Assert.InRange(served, 500, 1000);
            Assert.True(refused > 0, "no client was refused under a 1,024-descriptor limit");
            Assert.Contains("file descriptors limit reached", server.Stderr, StringComparison.Ordinal);

            // Served clients still work; once some leave, newcomers get in again.
            Assert.Equal("STILL", await Sockets.ExchangeAsync(clients[0], "still", "STILL"));
            foreach (var client in clients.Skip(1).Take(200))
            {
                client.Close();
            }

            await Deadline.UntilAsync(async () =>
            {
                using var newcomer = await Sockets.ConnectAsync(endPoint);
                await newcomer.SendAsync("n"u8.ToArray());
                byte[] reply = new byte[1];
                return await newcomer.ReceiveAsync(reply).WithDeadline(TimeSpan.FromSeconds(10)) == 1;
            }, "a newcomer to be served after clients left");
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync());
    }
}
