using System.Globalization;
using System.Text;

namespace Edge.Hosting.Observability;

/// <summary>
/// Just enough HTTP/1.1 for <see cref="HealthMetricsListener"/>: reads one request head (bounded in size and time,
/// headers ignored — any Host is fine) and writes one response with its length, closing the connection after it.
/// </summary>
internal static class MiniHttp
{
    /// <summary>Largest request head read; a scraper's is a few hundred bytes.</summary>
    public const int MaxHeadBytes = 8 * 1024;

    /// <summary>How long one request may take, reading and answering.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Reads the request head and returns its method and path (without the query).</summary>
    public static async Task<(string Method, string Path)> ReadRequestAsync(
        Stream connection, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHeadBytes];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                throw new BadRequestException($"request head exceeds {MaxHeadBytes} bytes");
            }

            var read = await connection.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new IOException("the client closed the connection before the request head ended");
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0 || buffer.AsSpan(0, length).IndexOf("\n\n"u8) >= 0)
            {
                break;
            }
        }

        var head = buffer.AsSpan(0, length);
        var lineEnd = head.IndexOf((byte)'\n');
        var requestLine = Encoding.ASCII.GetString(head[..lineEnd]).TrimEnd('\r');
        var parts = requestLine.Split(' ');
        if (parts.Length != 3 || !parts[2].StartsWith("HTTP/1.", StringComparison.Ordinal) || parts[0].Length == 0)
        {
            throw new BadRequestException("malformed request line");
        }

        var target = parts[1];
        var query = target.IndexOf('?', StringComparison.Ordinal);
        var path = query >= 0 ? target[..query] : target;
        if (Uri.TryCreate(path, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            path = absolute.AbsolutePath;
        }

        return (parts[0], path);
    }

    /// <summary>Writes a complete response (the body omitted for HEAD) and flushes it.</summary>
    public static async Task WriteAsync(
        Stream connection, int status, string contentType, byte[] body, bool headOnly,
            CancellationToken cancellationToken)
    {
        var reason = status switch
        {
            200 => "OK",
            400 => "Bad Request",
            404 => "Not Found",
            405 => "Method Not Allowed",
            _ => "Service Unavailable",
        };
        var header = string.Create(
            CultureInfo.InvariantCulture,
            $"HTTP/1.1 {status} {reason}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\n")
            + "Connection: close\r\n\r\n";
        await connection.WriteAsync(Encoding.ASCII.GetBytes(header), cancellationToken).ConfigureAwait(false);
        if (!headOnly)
        {
            await connection.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }

        await connection.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The request could not be parsed; answered with 400.</summary>
    public sealed class BadRequestException(string message) : Exception(message);
}
