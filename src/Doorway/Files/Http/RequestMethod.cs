namespace Doorway.Files.Http;

internal enum RequestMethod
{
    Get,
    Head,

    /// <summary>Any other well-formed method: 405 with Allow.</summary>
    Other,
}
