using System.Globalization;
using System.Text;
using System.Text.Json;
using Doorway.Tests.Files;
using Doorway.Tests.Support;
using Xunit;

namespace Doorway.Tests.Conformance;

/// <summary>
/// The conformance table (issue 9), request by request, against the file door over loopback: raw
/// probes read byte by byte, then every response of the table read again by h11, a strict HTTP
/// parser (Debian's python3-h11), so a response that only a forgiving client would accept fails.
/// </summary>
public sealed class ConformanceTests : IClassFixture<ConformanceDoor>
{
    private readonly ConformanceDoor _door;

    public ConformanceTests(ConformanceDoor door)
    {
        _door = door;
    }

    public static TheoryData<string> Rules()
    {
        var data = new TheoryData<string>();
        foreach (var row in ConformanceTable.Cases())
        {
            data.Add(row.ToString());
        }

        return data;
    }

    private static ConformanceCase Row(string name) => ConformanceTable.Cases().Single(c => c.ToString() == name);

    [Theory]
    [MemberData(nameof(Rules))]
    public async Task Each_rule_gets_its_answer(string rule)
    {
        var row = Row(rule);
        using var socket = await FileClients.ConnectAsync(_door.EndPoint);
        await socket.SendAsync(Encoding.Latin1.GetBytes(_door.Fill(row.Request))).WithDeadline();
        var pending = new MemoryStream();
        HttpReply? last = null;
        for (int i = 0; i < row.Statuses.Length; i++)
        {
            bool head = MethodOf(row, i) == "HEAD";
            last = await FileClients.ReadResponseAsync(socket, pending, head);
            Assert.Equal(row.Statuses[i], last.Status);
            CheckEveryResponse(last);
        }

        foreach (var (name, value) in row.Headers)
        {
            Assert.True(last!.Headers.TryGetValue(name, out var actual), $"{name} missing");
            if (value != ConformanceCase.Present)
            {
                Assert.Equal(value, actual);
            }
        }

        foreach (var name in row.Absent)
        {
            Assert.False(last!.Headers.ContainsKey(name), $"{name} present");
        }

        if (row.BodyContains is { } text)
        {
            Assert.Contains(text, Encoding.Latin1.GetString(last!.Body), StringComparison.Ordinal);
        }

        if (row.Closes)
        {
            Assert.Equal("close", last!.Headers.GetValueOrDefault("Connection"));
            Assert.Empty(await FileClients.ReadToEndAsync(socket));
        }
        else
        {
            Assert.NotEqual("close", last!.Headers.GetValueOrDefault("Connection"));
        }
    }

    [Fact]
    public async Task H11_reads_every_response_of_the_table_without_a_protocol_error()
    {
        var rows = ConformanceTable.Cases().ToList();
        var input = new
        {
            port = _door.EndPoint.Port,
            cases = rows.Select(row => new
            {
                name = row.ToString(),
                request = _door.Fill(row.Request),
                methods = Enumerable.Range(0, row.Statuses.Length).Select(i => MethodOf(row, i)).ToArray(),
            }),
        };
        var (code, stdout, stderr) = await RunningProcess.RunAsync(
            "/usr/bin/python3", [Repo.Client("h11_check.py")], stdin: JsonSerializer.Serialize(input), limit: TimeSpan.FromSeconds(120));
        Assert.True(code == 0, stderr);
        using var results = JsonDocument.Parse(stdout);
        foreach (var row in rows)
        {
            var result = results.RootElement.GetProperty(row.ToString());
            Assert.True(result.GetProperty("error").ValueKind == JsonValueKind.Null, $"{row}: {result.GetProperty("error")}");
            int[] statuses = [.. result.GetProperty("statuses").EnumerateArray().Select(s => s.GetInt32())];
            Assert.True(row.Statuses.SequenceEqual(statuses), $"{row}: h11 read {string.Join(",", statuses)}");
        }
    }

    /// <summary>RFC 9110 §15's reason phrases, written out here rather than taken from the server's own table.</summary>
    private static readonly Dictionary<int, string> Reasons = new()
    {
        [200] = "OK", [206] = "Partial Content", [301] = "Moved Permanently", [304] = "Not Modified", [400] = "Bad Request",
        [404] = "Not Found", [405] = "Method Not Allowed", [412] = "Precondition Failed", [416] = "Range Not Satisfiable",
        [417] = "Expectation Failed", [501] = "Not Implemented", [505] = "HTTP Version Not Supported",
    };

    /// <summary>What RFC 9110 asks of every response: the server's version and a reason, Date (§6.6.1) and Server; Allow on a 405 (§15.5.6).</summary>
    private static void CheckEveryResponse(HttpReply reply)
    {
        Assert.Equal($"HTTP/1.1 {reply.Status} {Reasons[reply.Status]}", reply.StatusLine);
        Assert.True(reply.Headers.TryGetValue("Date", out var date), "no Date");
        Assert.True(DateTimeOffset.TryParseExact(date, "r", CultureInfo.InvariantCulture, DateTimeStyles.None, out _), date);
        Assert.Equal("doorway", reply.Headers["Server"]);
        if (reply.Status == 405)
        {
            Assert.Equal("GET, HEAD, OPTIONS", reply.Headers["Allow"]);
        }

        if (reply.Status is 304 or 204)
        {
            Assert.False(reply.Headers.ContainsKey("Content-Length"));
        }
    }

    private static string MethodOf(ConformanceCase row, int index)
    {
        if (index < row.Methods.Length)
        {
            return row.Methods[index];
        }

        string request = row.Request.TrimStart('\r', '\n');
        return request[..request.IndexOfAny([' ', '\t'])];
    }
}
