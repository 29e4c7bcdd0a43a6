namespace Doorway.Tests.Conformance;

/// <summary>
/// One row of the conformance table: the rule (RFC and section), the raw request bytes, and what
/// each response to it must be: its status, header fields that must have a value (or, with
/// <see cref="Present"/>, be there at all), fields that must be absent, and whether the server
/// closes after the last one. A placeholder {etag} or {etag-weak} in the request is replaced with
/// the ETag the file door gives /a.txt.
/// </summary>
internal sealed record ConformanceCase(string Section, string Rule, string Request, params int[] Statuses)
{
    /// <summary>A header value that only has to be there.</summary>
    public const string Present = "\u0001present";

    /// <summary>Header fields of the last response and the value each must have (or <see cref="Present"/>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Header fields the last response must not have.</summary>
    public IReadOnlyList<string> Absent { get; init; } = [];

    /// <summary>Whether the server ends the connection after the last response (Connection: close, then the end of stream).</summary>
    public bool Closes { get; init; }

    /// <summary>Text the last response's body must hold.</summary>
    public string? BodyContains { get; init; }

    /// <summary>The method of each request, for a client parser that must know it (a HEAD's response has no body).</summary>
    public string[] Methods { get; init; } = [];

    public override string ToString() => $"{Section}: {Rule}";
}
