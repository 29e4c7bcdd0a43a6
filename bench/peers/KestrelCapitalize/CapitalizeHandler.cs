using System.Buffers;
using Doorway.Capitalize;
using Microsoft.AspNetCore.Connections;

namespace KestrelCapitalize;

/// <summary>
/// The TCP capitalize protocol as a Kestrel connection handler: every byte read from the pipe is
/// answered with its upper case (Doorway's streaming <see cref="UpperCaser"/>), in order.
/// </summary>
internal sealed class CapitalizeHandler : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var caser = default(UpperCaser);
        while (true)
        {
            var result = await input.ReadAsync();
            var buffer = result.Buffer;
            foreach (var segment in buffer)
            {
                var destination = output.GetSpan(UpperCaser.MaxOutputLength(segment.Length));
                output.Advance(caser.Transform(segment.Span, destination));
            }

            input.AdvanceTo(buffer.End);
            if (result.IsCompleted)
            {
                output.Advance(caser.Flush(output.GetSpan(UpperCaser.MaxExpansion)));
                await output.FlushAsync();
                return;
            }

            var flushed = await output.FlushAsync();
            if (flushed.IsCompleted)
            {
                return;
            }
        }
    }
}
