using Doorway.Transport;

namespace Doorway.Tests.Bench;

/// <summary>TCP doors that answer wrongly, to see the load generator notice.</summary>
internal static class WrongDoors
{
    /// <summary>Echoes every byte unchanged: the right length, the wrong case.</summary>
    public sealed class Echo : IConnectionHandler
    {
        public async Task OnConnectedAsync(Connection connection, CancellationToken stopping)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                int received = await connection.ReceiveAsync(buffer, stopping);
                if (received == 0)
                {
                    return;
                }

                await connection.SendAsync(buffer.AsMemory(0, received), stopping);
            }
        }
    }

    /// <summary>Answers every read with its upper case twice: more bytes than were sent.</summary>
    public sealed class Doubling : IConnectionHandler
    {
        public async Task OnConnectedAsync(Connection connection, CancellationToken stopping)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                int received = await connection.ReceiveAsync(buffer, stopping);
                if (received == 0)
                {
                    return;
                }

                System.Text.Ascii.ToUpperInPlace(buffer.AsSpan(0, received), out _);
                await connection.SendAsync(buffer.AsMemory(0, received), stopping);
                await connection.SendAsync(buffer.AsMemory(0, received), stopping);
            }
        }
    }
}
