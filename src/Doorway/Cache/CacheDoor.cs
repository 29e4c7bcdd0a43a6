using Doorway.Http;
using Doorway.Transport;
using Microsoft.Extensions.Logging;

namespace Doorway.Cache;

/// <summary>
/// The cache door as one setup, used by <c>serve</c> and by the tests alike: a welcome door whose
/// connections are HTTP/1.1 sessions answered by the <see cref="CacheResponder"/>, on the thread
/// pool (a disk store reads and writes files). Its requests are logged with their hit or miss,
/// so its connections are logged at Debug.
/// </summary>
public static class CacheDoor
{
    public const string Name = "cache";

    public static WelcomeDoor Bind(CacheOptions options, WelcomeDoorOptions door, ILogger logger, House? house = null) =>
        Bind(options, door, logger, house, out _);

    internal static WelcomeDoor Bind(CacheOptions options, WelcomeDoorOptions door, ILogger logger, House? house, out CacheResponder responder)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(door);
        ArgumentNullException.ThrowIfNull(logger);
        house ??= new House();
        var disk = options.Directory is { } directory ? new DiskStore(directory, options.MaxDiskBytes, logger) : null;
        responder = new CacheResponder(options, logger, new CacheMeter(house.Meter, Name), disk);
        var handler = new Http1ConnectionHandler(responder, options.Http, logger);
        return WelcomeDoor.Bind(Name, door with { Dispatch = DoorDispatch.ThreadPool, AcceptLogLevel = LogLevel.Debug }, pipeline: null, handler.OnConnectedAsync, logger, house,
            refuse: HttpRefusal.AnswerAsync);
    }
}
