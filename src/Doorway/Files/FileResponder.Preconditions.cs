using Doorway.Http;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    private enum Precondition
    {
        /// <summary>Answer the request (If-Range is judged with the range).</summary>
        Holds,

        /// <summary>304: the client's copy is current (GET and HEAD).</summary>
        NotModified,

        /// <summary>412: the client made the request depend on a state the file is not in.</summary>
        Failed,
    }

    /// <summary>
    /// The conditional request fields, evaluated in the order of RFC 9110 §13.2.2: If-Match, else
    /// If-Unmodified-Since (false: 412); then If-None-Match, else If-Modified-Since (false: 304,
    /// this door serving only GET and HEAD). If-Match compares strongly and If-None-Match weakly
    /// (§8.8.3.2); a date field that is not a valid HTTP-date in any of the three formats is
    /// ignored (§13.1.3, §13.1.4), and only whole seconds are compared (Last-Modified has no more).
    /// </summary>
    private static Precondition Preconditions(HttpRequest request, OpenedFile version)
    {
        var headers = request.Headers;
        Span<byte> etag = stackalloc byte[MaxETagBytes];
        etag = etag[..FormatETag(version.Version, etag)];
        if (headers.TryGet("if-match"u8, out var match))
        {
            if (!ListMatches(match, etag, weak: false))
            {
                return Precondition.Failed;
            }
        }
        else if (headers.TryGet("if-unmodified-since"u8, out var unmodifiedSince)
            && HttpDate.TryParse(unmodifiedSince, out var notAfter) && LastModified(version) > notAfter)
        {
            return Precondition.Failed;
        }

        if (headers.TryGet("if-none-match"u8, out var noneMatch))
        {
            return ListMatches(noneMatch, etag, weak: true) ? Precondition.NotModified : Precondition.Holds;
        }

        return headers.TryGet("if-modified-since"u8, out var modifiedSince)
            && HttpDate.TryParse(modifiedSince, out var since) && LastModified(version) <= since
            ? Precondition.NotModified
            : Precondition.Holds;
    }

    /// <summary>
    /// Whether an If-Match or If-None-Match list ("*" or entity tags) names <paramref name="etag"/>.
    /// Strong comparison: both strong and the same; weak: the same once "W/" is set aside (§8.8.3.2).
    /// </summary>
    private static bool ListMatches(ReadOnlySpan<byte> list, ReadOnlySpan<byte> etag, bool weak)
    {
        foreach (var part in list.Split((byte)','))
        {
            var tag = list[part].Trim(" \t"u8);
            if (tag.SequenceEqual("*"u8))
            {
                // The file exists, so "*" (any current representation) holds.
                return true;
            }

            if (tag.StartsWith("W/"u8))
            {
                if (!weak)
                {
                    continue;
                }

                tag = tag[2..];
            }

            if (tag.SequenceEqual(etag))
            {
                return true;
            }
        }

        return false;
    }
}
