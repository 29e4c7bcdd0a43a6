using System.Net;
using System.Net.Sockets;
using Doorway.Dns;

namespace Doorway.Tests.Dns;

/// <summary>A scripted UDP name server for the tests: for each query, the replies a function makes (strays and forgeries included), in order.</summary>
internal sealed class FakeDnsServer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public FakeDnsServer(IPEndPoint endPoint, Func<byte[], IEnumerable<byte[]>> replies)
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(endPoint);
        _loop = RunAsync(replies);
    }

    public int Queries { get; private set; }

    private async Task RunAsync(Func<byte[], IEnumerable<byte[]>> replies)
    {
        byte[] buffer = new byte[4096];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Queries++;
            foreach (byte[] reply in replies(buffer[..received.ReceivedBytes]))
            {
                await _socket.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint);
            }
        }
    }

    /// <summary>A reply to <paramref name="query"/>: its ID and question (or another name's), the flags, then records (answer count, authority count, the rest additional).</summary>
    public static byte[] Reply(byte[] query, ushort flags, int answers, int authority, IEnumerable<DnsRecord> records, ushort? id = null, string? questionName = null)
    {
        var q = DnsMessage.Parse(query)!;
        byte[] buffer = new byte[4096];
        var w = new DnsWriter(buffer, new ushort[64]);
        var list = records.ToList();
        w.TryWriteUInt16(id ?? q.Id);
        w.TryWriteUInt16((ushort)(0x8000 | flags));
        w.TryWriteUInt16(1);
        w.TryWriteUInt16((ushort)answers);
        w.TryWriteUInt16((ushort)authority);
        w.TryWriteUInt16((ushort)(list.Count - answers - authority));
        w.TryWriteName((questionName is null ? q.QuestionName : DnsName.Parse(questionName)).Wire, compress: false);
        w.TryWriteUInt16((ushort)q.QuestionType);
        w.TryWriteUInt16(1);
        foreach (var r in list)
        {
            w.TryWriteRecord(r.Owner.Wire, r.Type, 1, r.Ttl, r.Data);
        }

        return buffer[..w.Position];
    }

    public static DnsRecord A(string owner, string address) => new(DnsName.Parse(owner), DnsType.A, 1, 300, new DnsRdata(IPAddress.Parse(address).GetAddressBytes()));

    public static DnsRecord NS(string owner, string target) => new(DnsName.Parse(owner), DnsType.NS, 1, 300, new DnsRdata([], [DnsName.Parse(target)], compress: true));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _socket.Dispose();
        _stop.Dispose();
    }
}
