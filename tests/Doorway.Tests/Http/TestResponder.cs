using System.Text;
using Doorway.Http;

namespace Doorway.Tests.Http;

/// <summary>A responder from a lambda, for tests.</summary>
internal sealed class TestResponder : IHttpResponder
{
    private readonly Func<HttpRequest, HttpResponse, CancellationToken, ValueTask> _answer;

    public TestResponder(Func<HttpRequest, HttpResponse, CancellationToken, ValueTask> answer)
    {
        _answer = answer;
    }

    /// <summary>200 with "hello\n" (plain text) to every request.</summary>
    public static TestResponder Hello { get; } = new((_, response, token) =>
    {
        response.Start(200);
        response.Header("Content-Type"u8, "text/plain"u8);
        return response.SendAsync(HelloBytes, token);
    });

    /// <summary>200 with the request's target and its whole content, "target:content".</summary>
    public static TestResponder Echo { get; } = new(async (request, response, token) =>
    {
        string target = Encoding.ASCII.GetString(request.Target);
        var content = new MemoryStream();
        byte[] buffer = new byte[7];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, token)) > 0)
        {
            content.Write(buffer, 0, read);
        }

        response.Start(200);
        await response.SendAsync(Encoding.ASCII.GetBytes(target + ":").Concat(content.ToArray()).ToArray(), token);
    });

    /// <summary>200 with the request's target, and its content left unread (for the session to drain or refuse).</summary>
    public static TestResponder Target { get; } = new((request, response, token) =>
    {
        response.Start(200);
        return response.SendAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(request.Target)), token);
    });

    public static byte[] HelloBytes { get; } = "hello\n"u8.ToArray();

    public ValueTask AnswerAsync(HttpRequest request, HttpResponse response, CancellationToken cancellationToken) =>
        _answer(request, response, cancellationToken);
}
