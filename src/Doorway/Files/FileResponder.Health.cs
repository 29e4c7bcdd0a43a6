using Doorway.Http;

namespace Doorway.Files;

internal sealed partial class FileResponder
{
    private static readonly byte[] Serving = "serving\n"u8.ToArray();
    private static readonly byte[] Draining = "draining\n"u8.ToArray();

    /// <summary>
    /// GET or HEAD of /healthz (a query is allowed): the door's health, for a load balancer's check.
    /// It shadows a file of that name in the root.
    /// </summary>
    private static bool IsHealthCheck(HttpRequest request)
    {
        if (request.Method is not (RequestMethod.Get or RequestMethod.Head) || request.TargetForm != HttpTargetForm.Origin)
        {
            return false;
        }

        var target = request.Target;
        return target.StartsWith("/healthz"u8) && (target.Length == 8 || target[8] == '?');
    }

    /// <summary>
    /// 200 while serving; 503 with Connection: close once the house drains or the door stops (RFC 9110
    /// §15.6.4: unavailable for now), so the balancer stops sending new clients before the door closes.
    /// Never cached (RFC 9111 §5.2.2.5): a stale "serving" would defeat it.
    /// </summary>
    private async ValueTask AnswerHealthAsync(HttpResponse response, CancellationToken stopping)
    {
        bool draining = _draining.IsCancellationRequested || stopping.IsCancellationRequested;
        response.Start(draining ? 503 : 200);
        response.Header("Content-Type"u8, "text/plain; charset=utf-8"u8);
        response.Header("Cache-Control"u8, "no-store"u8);
        if (draining)
        {
            response.CloseConnection();
        }

        await response.SendAsync(draining ? Draining : Serving, Exchange);
    }
}
