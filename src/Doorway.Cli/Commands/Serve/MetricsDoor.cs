using System.Net;
using System.Net.Sockets;
using Doorway.Transport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Doorway.Cli.Commands;

/// <summary>
/// The house's <c>Meter "Doorway"</c> in Prometheus text format on a port of its own (<c>GET /metrics</c>),
/// through OpenTelemetry's Prometheus exporter on a minimal Kestrel listener: the exporter turns the
/// meter's names and units into Prometheus's (<c>doorway.connection.duration</c> in s becomes
/// <c>doorway_connection_duration_seconds</c>, a counter gets <c>_total</c>), and Kestrel can bind port 0
/// and say which port it got, as every door does. It runs apart from the doors, so a scrape never
/// takes a connection slot from clients, and it keeps answering while the doors drain.
/// </summary>
internal sealed class MetricsDoor : IDoor
{
    public const string Name = "metrics";

    private readonly WebApplication _app;

    private MetricsDoor(WebApplication app, IPEndPoint localEndPoint)
    {
        _app = app;
        LocalEndPoint = localEndPoint;
    }

    string IDoor.Name => Name;

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds and starts serving. Throws <see cref="SocketException"/> (AddressAlreadyInUse) when the port cannot be had.</summary>
    public static MetricsDoor Bind(IPEndPoint endPoint, ILoggerFactory loggers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Kestrel's own lines go to serve's log (at its level); serve, not the host, owns Ctrl-C and SIGTERM,
        // so the endpoint keeps answering while the doors drain.
        builder.Services.AddSingleton(loggers);
        builder.Services.AddSingleton<IHostLifetime, ServeOwnsLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(endPoint);
        });
        builder.Services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("doorway")).WithMetrics(metrics => metrics
            .AddMeter(DoorMeter.MeterName)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        var app = builder.Build();
        app.MapPrometheusScrapingEndpoint("/metrics");
        try
        {
            app.StartAsync().GetAwaiter().GetResult();
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            throw new SocketException((int)SocketError.AddressAlreadyInUse);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        int port = new Uri(address).Port;
        return new MetricsDoor(app, new IPEndPoint(endPoint.Address, port));
    }

    /// <summary>Kestrel started at bind, so the ready line's port is real.</summary>
    public void Start()
    {
    }

    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>A host lifetime that listens to no signal (the host's console lifetime would stop the endpoint on the first SIGTERM).</summary>
    private sealed class ServeOwnsLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
