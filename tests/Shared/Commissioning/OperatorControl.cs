using System.Diagnostics;
using System.Globalization;

namespace Edge.Tests.Shared.Commissioning;

/// <summary>
/// What the operator types (docs/field-updates.md): a control message published with the stock
/// <c>mosquitto_pub</c>, as the <c>operator</c> service identity, on the broker's service listener.
/// </summary>
public static class OperatorControl
{
    /// <summary>
    /// Publishes <paramref name="json"/> on <paramref name="topic"/> (QoS 1, MQTT 5) with the operator's certificate
    /// from <paramref name="certificates"/>; throws <see cref="InvalidOperationException"/> with mosquitto_pub's
    /// error when it fails.
    /// </summary>
    public static async Task MosquittoPubAsync(
        string certificates, int servicePort, string topic, string json, CancellationToken cancellationToken)
    {
        var services = Path.Combine(certificates, "services");
        var start = new ProcessStartInfo("mosquitto_pub")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in new[]
        {
            "-h", "localhost", "-p", servicePort.ToString(CultureInfo.InvariantCulture),
            "--cafile", Path.Combine(certificates, "ca.crt"),
            "--cert", Path.Combine(services, "operator.crt"), "--key", Path.Combine(services, "operator.key"),
            "-V", "mqttv5", "-q", "1", "-t", topic, "-m", json,
        })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"mosquitto_pub failed ({process.ExitCode}): {await error.ConfigureAwait(false)}");
        }
    }
}
