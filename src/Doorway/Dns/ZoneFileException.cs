namespace Doorway.Dns;

/// <summary>A zone file Doorway refuses to serve: the file, the line and the reason, as "file:line: reason".</summary>
public sealed class ZoneFileException : Exception
{
    public ZoneFileException(string file, int line, string reason)
        : base($"{file}:{line}: {reason}")
    {
        File = file;
        Line = line;
        Reason = reason;
    }

    public ZoneFileException()
        : this("?", 0, "bad zone file")
    {
    }

    public ZoneFileException(string message)
        : this("?", 0, message)
    {
    }

    public ZoneFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "?";
        Reason = message;
    }

    public string File { get; } = "?";

    public int Line { get; }

    public string Reason { get; } = string.Empty;
}
