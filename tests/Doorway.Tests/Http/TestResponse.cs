using System.Text;

namespace Doorway.Tests.Http;

/// <summary>One response as the test client read it.</summary>
internal sealed class TestResponse
{
    public int Status { get; init; }

    public string StatusLine { get; init; } = "";

    /// <summary>Every field line, in order, as sent.</summary>
    public List<KeyValuePair<string, string>> Fields { get; } = [];

    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The content, decoded if it was chunked.</summary>
    public byte[] Body { get; set; } = [];

    /// <summary>The chunk sizes as they came, last (0) included, for chunked content.</summary>
    public List<int> Chunks { get; } = [];

    public string Text => Encoding.UTF8.GetString(Body);

    public bool Closes => Headers.TryGetValue("Connection", out var value) && value.Equals("close", StringComparison.OrdinalIgnoreCase);
}
