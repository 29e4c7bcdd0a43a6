using System.Buffers.Text;

namespace Doorway.Http;

/// <summary>
/// HTTP dates (RFC 9110 §5.6.7), formatted and parsed without allocating. A server sends only
/// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"); a recipient MUST accept the two obsolete formats
/// too: RFC 850 ("Sunday, 06-Nov-94 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994").
/// </summary>
internal static class HttpDate
{
    public const int Length = 29;

    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly string[] LongDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    public static int Format(DateTimeOffset time, Span<byte> destination)
    {
        Utf8Formatter.TryFormat(time.ToUniversalTime(), destination, out int written, 'R');
        return written;
    }

    /// <summary>Reads a date in any of the three formats; false for anything else (the field is then ignored, as §13.1.3–4 say).</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out DateTimeOffset time) => TryParse(text, DateTimeOffset.UtcNow, out time);

    /// <summary>As <see cref="TryParse(ReadOnlySpan{byte}, out DateTimeOffset)"/>, with the time an RFC 850 two-digit year is judged against.</summary>
    internal static bool TryParse(ReadOnlySpan<byte> text, DateTimeOffset now, out DateTimeOffset time)
    {
        time = default;
        int comma = text.IndexOf((byte)',');
        if (comma == 3)
        {
            // IMF-fixdate: day-name "," SP date1 (DD SP Mon SP YYYY) SP time-of-day SP "GMT".
            return text.Length == Length && IsShortDay(text[..3]) && text[4] == (byte)' '
                && TryDigits(text.Slice(5, 2), out int day) && text[7] == (byte)' '
                && TryMonth(text.Slice(8, 3), out int month) && text[11] == (byte)' '
                && TryDigits(text.Slice(12, 4), out int year) && text[16] == (byte)' '
                && TryTime(text.Slice(17, 8), out var clock) && text[25..].SequenceEqual(" GMT"u8)
                && TryMake(year, month, day, clock, out time);
        }

        if (comma > 3)
        {
            // rfc850-date: day-name-l "," SP DD "-" Mon "-" YY SP time-of-day SP "GMT".
            var rest = text[(comma + 1)..];
            if (!IsLongDay(text[..comma]) || rest.Length != 23 || rest[0] != (byte)' '
                || !TryDigits(rest.Slice(1, 2), out int day) || rest[3] != (byte)'-'
                || !TryMonth(rest.Slice(4, 3), out int month) || rest[7] != (byte)'-'
                || !TryDigits(rest.Slice(8, 2), out int shortYear) || rest[10] != (byte)' '
                || !TryTime(rest.Slice(11, 8), out var clock) || !rest[19..].SequenceEqual(" GMT"u8))
            {
                return false;
            }

            // §5.6.7: a two-digit year more than 50 years in the future is the most recent past
            // year with the same last two digits.
            int year = (now.Year / 100 * 100) + shortYear;
            if (year > now.Year + 50)
            {
                year -= 100;
            }
            else if (year <= now.Year - 50)
            {
                year += 100;
                if (year > now.Year + 50)
                {
                    year -= 100;
                }
            }

            return TryMake(year, month, day, clock, out time);
        }

        // asctime-date: day-name SP Mon SP ( 2DIGIT / ( SP DIGIT ) ) SP time-of-day SP YYYY.
        if (comma >= 0 || text.Length != 24 || !IsShortDay(text[..3]) || text[3] != (byte)' '
            || !TryMonth(text.Slice(4, 3), out int asctimeMonth) || text[7] != (byte)' ')
        {
            return false;
        }

        var dayText = text.Slice(8, 2);
        if (dayText[0] == (byte)' ')
        {
            dayText = dayText[1..];
        }

        return TryDigits(dayText, out int asctimeDay) && text[10] == (byte)' '
            && TryTime(text.Slice(11, 8), out var asctimeClock) && text[19] == (byte)' '
            && TryDigits(text.Slice(20, 4), out int asctimeYear)
            && TryMake(asctimeYear, asctimeMonth, asctimeDay, asctimeClock, out time);
    }

    /// <summary>Whole seconds, the precision an HTTP date carries.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static bool TryMake(int year, int month, int day, TimeSpan clock, out DateTimeOffset time)
    {
        time = default;
        if (year < 1 || year > 9999 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        time = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero) + clock;
        return true;
    }

    /// <summary>time-of-day = hour ":" minute ":" second; a leap second (60) is read as 59, as §5.6.7 allows.</summary>
    private static bool TryTime(ReadOnlySpan<byte> text, out TimeSpan clock)
    {
        clock = default;
        if (text[2] != (byte)':' || text[5] != (byte)':' || !TryDigits(text[..2], out int hour)
            || !TryDigits(text.Slice(3, 2), out int minute) || !TryDigits(text.Slice(6, 2), out int second)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        clock = new TimeSpan(hour, minute, Math.Min(second, 59));
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, out int value)
    {
        value = 0;
        foreach (byte b in text)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (b - '0');
        }

        return !text.IsEmpty;
    }

    private static bool TryMonth(ReadOnlySpan<byte> text, out int month)
    {
        for (int i = 0; i < Months.Length; i++)
        {
            if (Matches(text, Months[i]))
            {
                month = i + 1;
                return true;
            }
        }

        month = 0;
        return false;
    }

    private static bool IsShortDay(ReadOnlySpan<byte> text)
    {
        foreach (var day in LongDays)
        {
            if (Matches(text, day.AsSpan(0, 3)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsLongDay(ReadOnlySpan<byte> text)
    {
        foreach (var day in LongDays)
        {
            if (Matches(text, day))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Names are matched exactly as the grammar spells them (it is case-sensitive, RFC 9110 §5.6.7).</summary>
    private static bool Matches(ReadOnlySpan<byte> text, ReadOnlySpan<char> name)
    {
        if (text.Length != name.Length)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }
}
