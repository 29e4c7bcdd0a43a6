namespace Doorway.Dns;

/// <summary>One master-file entry (RFC 1035 §5.1): its fields, possibly across lines in parentheses, and whether it began with blank space (no owner).</summary>
internal sealed record ZoneEntry(int Line, bool OwnerOmitted, List<ZoneToken> Tokens);
