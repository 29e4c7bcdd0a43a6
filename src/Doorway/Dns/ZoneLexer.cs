using System.Text;

namespace Doorway.Dns;

/// <summary>
/// Splits a master file into entries (RFC 1035 §5.1): fields separated by blanks, ';' to the end
/// of the line a comment, parentheses joining lines, quoted strings kept whole, '\' escaping the
/// next character (kept in the field's text, decoded by whoever reads it).
/// </summary>
internal static class ZoneLexer
{
    public static List<ZoneEntry> Read(string text, string file)
    {
        var entries = new List<ZoneEntry>();
        int line = 1;
        int i = 0;
        int depth = 0;
        int openedAt = 0;
        ZoneEntry? entry = null;
        bool atLineStart = true;
        var field = new StringBuilder();
        while (i < text.Length)
        {
            char c = text[i];
            if (atLineStart && depth == 0)
            {
                atLineStart = false;
                entry = null;
                if (c is ' ' or '\t')
                {
                    entry = new ZoneEntry(line, true, []);
                }
            }

            switch (c)
            {
                case '\n':
                    line++;
                    i++;
                    if (depth == 0)
                    {
                        Finish(entries, ref entry);
                        atLineStart = true;
                    }

                    continue;
                case ' ' or '\t' or '\r':
                    i++;
                    continue;
                case ';':
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }

                    continue;
                case '(':
                    if (depth > 0)
                    {
                        throw new ZoneFileException(file, line, "'(' inside parentheses");
                    }

                    depth++;
                    openedAt = line;
                    i++;
                    continue;
                case ')':
                    if (depth == 0)
                    {
                        throw new ZoneFileException(file, line, "')' without '('");
                    }

                    depth--;
                    i++;
                    continue;
                case '"':
                    {
                        int start = line;
                        field.Clear();
                        i++;
                        while (true)
                        {
                            if (i >= text.Length)
                            {
                                throw new ZoneFileException(file, start, "a quoted string is not closed");
                            }

                            char q = text[i];
                            if (q == '"')
                            {
                                i++;
                                break;
                            }

                            if (q == '\\' && i + 1 < text.Length)
                            {
                                field.Append(q).Append(text[i + 1]);
                                if (text[i + 1] == '\n')
                                {
                                    line++;
                                }

                                i += 2;
                                continue;
                            }

                            if (q == '\n')
                            {
                                throw new ZoneFileException(file, start, "a quoted string runs past the end of its line");
                            }

                            field.Append(q);
                            i++;
                        }

                        Add(ref entry, line, new ZoneToken(field.ToString(), true, start));
                        continue;
                    }

                default:
                    {
                        field.Clear();
                        while (i < text.Length)
                        {
                            char f = text[i];
                            if (f is ' ' or '\t' or '\r' or '\n' or ';' or '(' or ')' or '"')
                            {
                                break;
                            }

                            if (f == '\\' && i + 1 < text.Length && text[i + 1] != '\n')
                            {
                                field.Append(f).Append(text[i + 1]);
                                i += 2;
                                continue;
                            }

                            field.Append(f);
                            i++;
                        }

                        Add(ref entry, line, new ZoneToken(field.ToString(), false, line));
                        continue;
                    }
            }
        }

        if (depth > 0)
        {
            throw new ZoneFileException(file, openedAt, "'(' is never closed");
        }

        Finish(entries, ref entry);
        return entries;
    }

    private static void Add(ref ZoneEntry? entry, int line, ZoneToken token)
    {
        entry ??= new ZoneEntry(line, false, []);
        entry.Tokens.Add(token);
    }

    private static void Finish(List<ZoneEntry> entries, ref ZoneEntry? entry)
    {
        if (entry is { Tokens.Count: > 0 })
        {
            entries.Add(entry);
        }

        entry = null;
    }
}
