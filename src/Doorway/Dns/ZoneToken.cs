namespace Doorway.Dns;

/// <summary>One field of a master-file entry: its text as written (escapes kept), and whether it was in quotes.</summary>
internal readonly record struct ZoneToken(string Text, bool Quoted, int Line);
