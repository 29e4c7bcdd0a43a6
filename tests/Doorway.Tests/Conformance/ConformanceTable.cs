namespace Doorway.Tests.Conformance;

/// <summary>
/// The rules of RFC 9110 and RFC 9112 that a GET/HEAD origin server is held to, and the SHOULDs
/// real clients lean on, as requests and the answers they must get from the file door (issue 9).
/// Every row names its section; docs/files.md has the same table in prose.
/// </summary>
internal static class ConformanceTable
{
    /// <summary>/a.txt's modification time, set by the fixture, in each of the three date formats (RFC 9110 §5.6.7).</summary>
    public static readonly DateTime Modified = new(2020, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    public const string ImfDate = "Thu, 02 Jan 2020 03:04:05 GMT";
    public const string Rfc850Date = "Thursday, 02-Jan-20 03:04:05 GMT";
    public const string AsctimeDate = "Thu Jan  2 03:04:05 2020";
    public const string Earlier = "Wed, 01 Jan 2020 00:00:00 GMT";
    public const string Later = "Fri, 03 Jan 2020 00:00:00 GMT";

    private const string Allow = "GET, HEAD, OPTIONS";

    private const string Present = ConformanceCase.Present;

    private static string Get(string target, string fields = "") => $"GET {target} HTTP/1.1\r\nHost: t\r\n{fields}\r\n";

    private static string A(string fields) => Get("/a.txt", fields);

    private static Dictionary<string, string> H(params string[] pairs)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < pairs.Length; i += 2)
        {
            headers[pairs[i]] = pairs[i + 1];
        }

        return headers;
    }

    public static IEnumerable<ConformanceCase> Cases()
    {
        // Request line and message framing (RFC 9112 §2–3).
        yield return new("9112 §2.2", "an empty line before the request line is ignored", "\r\n" + A(""), 200) { BodyContains = "hello" };
        yield return new("9112 §2.2", "several empty lines (bare LF too) before it are ignored", "\r\n\n\r\n" + A(""), 200);
        yield return new("9112 §2.2", "an empty line between pipelined requests is ignored", A("") + "\r\n" + Get("/one"), 200, 200) { BodyContains = "B" };
        yield return new("9112 §2.2", "a bare LF ends a head's line", "GET /a.txt HTTP/1.1\nHost: t\n\n", 200);
        yield return new("9112 §3", "two spaces in the request line: 400 and close", "GET  /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §3", "whitespace before the version: 400", "GET /a.txt  HTTP/1.1\r\nHost: t\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §2.3", "a lower-case version: 400", "GET /a.txt http/1.1\r\nHost: t\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §5.1", "whitespace before a field's colon: 400", A("Accept : */*\r\n"), 400) { Closes = true };
        yield return new("9112 §5.2", "obsolete line folding: 400", A("X-A: 1\r\n folded\r\n"), 400) { Closes = true };
        yield return new("9112 §2.2", "a bare CR in a field: 400", A("X-A: 1\r2\r\n"), 400) { Closes = true };

        // Host (RFC 9112 §3.2, RFC 9110 §7.2).
        yield return new("9112 §3.2", "HTTP/1.1 without Host: 400", "GET /a.txt HTTP/1.1\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §3.2", "two Host fields: 400", A("Host: u\r\n"), 400) { Closes = true };
        yield return new("9112 §3.2", "a Host with a space: 400", "GET /a.txt HTTP/1.1\r\nHost: a b\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §3.2", "a Host with a path: 400", "GET /a.txt HTTP/1.1\r\nHost: t/x\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §3.2", "a Host with userinfo: 400", "GET /a.txt HTTP/1.1\r\nHost: u@t\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §3.2", "a Host with a port and an IPv6 literal is valid", "GET /a.txt HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 200);
        yield return new("9112 §3.2", "HTTP/1.0 needs no Host", "GET /a.txt HTTP/1.0\r\n\r\n", 200) { Closes = true };

        // Target forms (RFC 9112 §3.2).
        yield return new("9112 §3.2.2", "absolute form is accepted", Get("http://t/a.txt"), 200) { BodyContains = "hello" };
        yield return new("3986 §3.1", "the scheme is case-insensitive", Get("HTTP://t/a.txt"), 200) { BodyContains = "hello" };
        yield return new("9110 §4.2.4", "userinfo in an absolute target: 400", Get("http://u@t/a.txt"), 400) { Closes = true };
        yield return new("9112 §3.2.4", "asterisk form for GET: 400", Get("*"), 400) { Closes = true };
        yield return new("9112 §3.2.3", "authority form for GET: 400", Get("t:80"), 400) { Closes = true };
        yield return new("9112 §3.2.1", "a target that is none of the forms: 400", Get("a.txt"), 400) { Closes = true };

        // Versions (RFC 9110 §2.5, §6.2; RFC 9112 §2.3).
        yield return new("9110 §2.5", "HTTP/1.2 is served as HTTP/1.1, with a 1.1 status line", "GET /a.txt HTTP/1.2\r\nHost: t\r\n\r\n", 200) { Absent = ["Connection"] };
        yield return new("9110 §6.2", "HTTP/1.0 gets an HTTP/1.1 status line and a close", "GET /a.txt HTTP/1.0\r\n\r\n", 200) { Closes = true, Headers = H("Connection", "close") };
        yield return new("9112 §9.3", "HTTP/1.0 with keep-alive is kept", "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200) { Headers = H("Connection", "keep-alive") };
        yield return new("9110 §15.6.6", "HTTP/2.0 in a request line: 505", "GET /a.txt HTTP/2.0\r\nHost: t\r\n\r\n", 505) { Closes = true };
        yield return new("9110 §15.6.6", "HTTP/0.9 in a request line: 505", "GET /a.txt HTTP/0.9\r\n\r\n", 505) { Closes = true };

        // Methods (RFC 9110 §9).
        yield return new("9110 §9.3.2", "HEAD: the head of GET, no content", "HEAD /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 200) { Headers = H("Content-Length", "6"), Methods = ["HEAD"] };
        yield return new("9110 §9.3.7", "OPTIONS * says what the server allows", "OPTIONS * HTTP/1.1\r\nHost: t\r\n\r\n", 200) { Headers = H("Allow", Allow, "Content-Length", "0") };
        yield return new("9110 §9.3.7", "OPTIONS of a file says what it allows", "OPTIONS /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 200) { Headers = H("Allow", Allow, "Content-Length", "0") };
        yield return new("9110 §15.5.6", "POST with a body: 405 with Allow; the body dropped, the connection kept",
            "POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\nhello=world" + Get("/one"), 405, 200) { BodyContains = "B", Methods = ["POST", "GET"] };
        yield return new("9110 §15.5.6", "PUT: 405 with Allow", "PUT /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n", 405) { Headers = H("Allow", Allow) };
        yield return new("9110 §15.5.6", "DELETE: 405 with Allow", "DELETE /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 405) { Headers = H("Allow", Allow) };
        yield return new("9110 §9.3.8", "TRACE is refused: 405", "TRACE /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 405) { Headers = H("Allow", Allow) };
        yield return new("9110 §9.3.6", "CONNECT host:443: 405", "CONNECT t:443 HTTP/1.1\r\nHost: t:443\r\n\r\n", 405) { Headers = H("Allow", Allow) };
        yield return new("9110 §9.1", "a lower-case method is another method: 501", "get /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 501) { BodyContains = "get is not a method" };
        yield return new("9110 §15.6.2", "an unknown method: 501, saying which", "BREW /a.txt HTTP/1.1\r\nHost: t\r\n\r\n", 501) { BodyContains = "BREW" };

        // Content (RFC 9112 §6, RFC 9110 §10.1.1).
        yield return new("9112 §6.1", "a transfer coding the server does not know: 501", "POST /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501) { Closes = true };
        yield return new("9112 §6.3", "chunked not the final coding: 400", "POST /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §6.3", "Content-Length and Transfer-Encoding: 400", "POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §6.1", "Transfer-Encoding in HTTP/1.0: 400", "POST /a.txt HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §6.3", "an invalid Content-Length: 400", "POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 1x\r\n\r\n", 400) { Closes = true };
        yield return new("9112 §6.3", "a chunked body the door does not take: answered, then closed", "POST /a.txt HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 405) { Closes = true };
        yield return new("9110 §10.1.1", "a body awaiting 100-continue that is not wanted: no 100, the answer, a close",
            "POST /a.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n", 405) { Closes = true };
        yield return new("9110 §10.1.1", "an expectation other than 100-continue: 417", A("Expect: teapot\r\n"), 417);

        // Conditional requests (RFC 9110 §13), /a.txt last modified at ImfDate.
        yield return new("9110 §13.1.1", "If-Match with the current ETag holds", A("If-Match: {etag}\r\n"), 200);
        yield return new("9110 §13.1.1", "If-Match * holds for a file that exists", A("If-Match: *\r\n"), 200);
        yield return new("9110 §13.1.1", "If-Match with another ETag: 412", A("If-Match: \"other\"\r\n"), 412);
        yield return new("9110 §13.1.1", "If-Match compares strongly: a weak tag fails", A("If-Match: {etag-weak}\r\n"), 412);
        yield return new("9110 §13.1.4", "If-Unmodified-Since before Last-Modified: 412", A($"If-Unmodified-Since: {Earlier}\r\n"), 412);
        yield return new("9110 §13.1.4", "If-Unmodified-Since at Last-Modified holds", A($"If-Unmodified-Since: {ImfDate}\r\n"), 200);
        yield return new("9110 §13.1.4", "an invalid If-Unmodified-Since is ignored", A("If-Unmodified-Since: yesterday\r\n"), 200);
        yield return new("9110 §13.2.2", "If-Match is evaluated first: it fails before If-None-Match", A("If-Match: \"other\"\r\nIf-None-Match: {etag}\r\n"), 412);
        yield return new("9110 §13.2.2", "If-Match holds, so If-Unmodified-Since is not looked at", A($"If-Match: {{etag}}\r\nIf-Unmodified-Since: {Earlier}\r\n"), 200);
        yield return new("9110 §13.1.2", "If-None-Match with the ETag: 304 with ETag and Cache-Control",
            A("If-None-Match: {etag}\r\n"), 304) { Headers = H("ETag", Present, "Cache-Control", "no-cache", "Last-Modified", ImfDate), Absent = ["Content-Length", "Content-Type"] };
        yield return new("9110 §13.1.2", "If-None-Match compares weakly", A("If-None-Match: \"x\", {etag-weak}\r\n"), 304);
        yield return new("9110 §13.1.2", "If-None-Match *: 304", A("If-None-Match: *\r\n"), 304);
        yield return new("9110 §13.1.2", "If-None-Match with another ETag: 200", A("If-None-Match: \"x\"\r\n"), 200);
        yield return new("9110 §5.6.7", "If-Modified-Since as IMF-fixdate: 304", A($"If-Modified-Since: {ImfDate}\r\n"), 304);
        yield return new("9110 §5.6.7", "If-Modified-Since as an RFC 850 date: 304", A($"If-Modified-Since: {Rfc850Date}\r\n"), 304);
        yield return new("9110 §5.6.7", "If-Modified-Since as an asctime date: 304", A($"If-Modified-Since: {AsctimeDate}\r\n"), 304);
        yield return new("9110 §13.1.3", "If-Modified-Since before Last-Modified: 200", A($"If-Modified-Since: {Earlier}\r\n"), 200);
        yield return new("9110 §13.1.3", "If-Modified-Since after Last-Modified: 304", A($"If-Modified-Since: {Later}\r\n"), 304);
        yield return new("9110 §13.1.3", "an invalid If-Modified-Since is ignored", A("If-Modified-Since: soon\r\n"), 200);
        yield return new("9110 §13.2.2", "If-None-Match wins over If-Modified-Since", A($"If-None-Match: \"x\"\r\nIf-Modified-Since: {ImfDate}\r\n"), 200);

        // Ranges (RFC 9110 §14), /ten.bin holds "0123456789".
        yield return new("9110 §14.2", "one range: 206 with Content-Range", Get("/ten.bin", "Range: bytes=2-4\r\n"), 206) { Headers = H("Content-Range", "bytes 2-4/10", "Content-Length", "3"), BodyContains = "234" };
        yield return new("9110 §14.1", "range units are case-insensitive", Get("/ten.bin", "Range: Bytes=0-4\r\n"), 206) { Headers = H("Content-Range", "bytes 0-4/10") };
        yield return new("9110 §14.1.3", "a suffix range", Get("/ten.bin", "Range: bytes=-3\r\n"), 206) { BodyContains = "789" };
        yield return new("9110 §14.1.3", "a suffix range of an empty file is satisfiable: 200", Get("/empty", "Range: bytes=-5\r\n"), 200) { Headers = H("Content-Length", "0") };
        yield return new("9110 §14.1.1", "any other range of an empty file: 416", Get("/empty", "Range: bytes=0-\r\n"), 416) { Headers = H("Content-Range", "bytes */0") };
        yield return new("9110 §15.5.17", "a range past the end: 416 with Content-Range", Get("/ten.bin", "Range: bytes=10-\r\n"), 416) { Headers = H("Content-Range", "bytes */10") };
        yield return new("9110 §14.6", "several ranges: multipart/byteranges", Get("/kilo.bin", "Range: bytes=0-1, 700-701\r\n"), 206) { Headers = H("Content-Type", Present), BodyContains = "Content-Range: bytes 700-701/1000" };
        yield return new("9110 §15.3.7.2", "ranges that overlap are sent as one", Get("/kilo.bin", "Range: bytes=0-9, 5-19\r\n"), 206) { Headers = H("Content-Range", "bytes 0-19/1000") };
        yield return new("9110 §14.2", "more ranges than the cap: the whole file", Get("/ten.bin", "Range: bytes=" + string.Join(',', Enumerable.Repeat("0-0", 17)) + "\r\n"), 200);
        yield return new("9110 §14.2", "a malformed Range is ignored", Get("/ten.bin", "Range: bytes=x-y\r\n"), 200) { Headers = H("Content-Length", "10") };
        yield return new("9110 §14.2", "Range on HEAD is ignored", "HEAD /ten.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1\r\n\r\n", 200) { Methods = ["HEAD"] };
        yield return new("9110 §13.1.5", "If-Range with the ETag: 206", A("Range: bytes=1-2\r\nIf-Range: {etag}\r\n"), 206) { BodyContains = "el" };
        yield return new("9110 §13.1.5", "If-Range with a weak ETag: the whole file", A("Range: bytes=1-2\r\nIf-Range: {etag-weak}\r\n"), 200);
        yield return new("9110 §13.1.5", "If-Range with the exact date: 206", A($"Range: bytes=1-2\r\nIf-Range: {ImfDate}\r\n"), 206);
        yield return new("9110 §13.1.5", "If-Range with another date: the whole file", A($"Range: bytes=1-2\r\nIf-Range: {Earlier}\r\n"), 200);

        // Caching metadata (RFC 9110 §8.8, RFC 9111 §5.2).
        yield return new("9110 §8.8.2", "a file has Last-Modified, a strong ETag and Cache-Control: no-cache", A(""), 200)
        {
            Headers = H("Last-Modified", ImfDate, "ETag", Present, "Cache-Control", "no-cache", "Accept-Ranges", "bytes", "Content-Type", "text/plain; charset=utf-8"),
        };
        yield return new("9111 §5.2.2.4", "a listing has Cache-Control: no-cache", Get("/"), 200) { Headers = H("Cache-Control", "no-cache", "Content-Type", "text/html; charset=utf-8") };

        // Targets (RFC 3986 §2, §6.2.2).
        yield return new("3986 §6.2.2.2", "an encoded unreserved character is the character", Get("/hello%2Etxt"), 200) { BodyContains = "hello file" };
        yield return new("3986 §6.2.2.2", "%61 is a", Get("/%61.txt"), 200) { BodyContains = "hello" };
        yield return new("3986 §2.1", "a bad escape: 400", Get("/%zz"), 400);
        yield return new("3986 §2.1", "a cut-off escape: 400", Get("/a.txt%2"), 400);
        yield return new("3986 §2.2", "%2F is never a separator", Get("/sub%2Finner.txt"), 404);
        yield return new("3986 §2.4", "a name holding %41 is reachable as %2541", Get("/%2541.txt"), 200) { BodyContains = "percent" };
        yield return new("3986 §2.4", "a name that is not UTF-8 is reachable by its bytes", Get("/caf%E9.txt"), 200) { BodyContains = "latin" };
        yield return new("3986 §2.4", "a name with a space, '#' and '?' is reachable", Get("/sp%20ace%23%3F.txt"), 200) { BodyContains = "awkward" };
        yield return new("3986 §5.2.4", "a dot segment however spelled names nothing here", Get("/%2e%2e/secret.txt"), 404);

        // Directories.
        yield return new("9110 §15.4.2", "a directory without its slash: 301 to it", Get("/sub"), 301) { Headers = H("Location", "/sub/") };
        yield return new("9110 §10.2.2", "the redirect keeps the query", Get("/sub?x=1&y"), 301) { Headers = H("Location", "/sub/?x=1&y") };
        yield return new("9110 §9.3.2", "HEAD of a directory: the listing's head", "HEAD /sub/ HTTP/1.1\r\nHost: t\r\n\r\n", 200) { Headers = H("Content-Type", "text/html; charset=utf-8", "Content-Length", Present), Methods = ["HEAD"] };
        yield return new("9110 §13.1.1", "If-Match with a tag on a listing (no validator): 412", Get("/", "If-Match: \"x\"\r\n"), 412);
        yield return new("9110 §15.5.5", "a missing file: 404", Get("/no-such"), 404);
    }
}
