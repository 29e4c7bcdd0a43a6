using Doorway.Transport;

namespace Doorway.Http;

/// <summary>
/// The answer of a TLS-only door (<c>serve --tls-only</c>) to a client that speaks plain HTTP:
/// 400 with a body saying to use https:// (as nginx answers a plain request on an HTTPS port),
/// then a lingering close. A plaintext client that is not HTTP (the raw dialect) is closed without a word,
/// so no error text ends up in a downloaded file.
/// </summary>
public static class HttpsRequired
{
    private static readonly byte[] Body = "400 Bad Request: this door speaks HTTPS only; use https://\n"u8.ToArray();

    public static async Task AnswerAsync(Connection connection, CancellationToken timeout)
    {
        ArgumentNullException.ThrowIfNull(connection);
        try
        {
            if (!await HttpRefusal.IsHttpAsync(connection, timeout))
            {
                await LingeringClose.RunAsync(connection);
                return;
            }

            await HttpRefusal.SendPlainAndCloseAsync(connection, 400, Body, null, timeout);
        }
        catch (Exception e) when (NetworkErrors.IsNetworkEnd(e))
        {
            return;
        }

        await LingeringClose.RunAsync(connection);
    }
}
