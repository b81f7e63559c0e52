using System.Globalization;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Edge.Domain.Messaging;
using Edge.Domain.Models;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Benchmarks;

/// <summary>
/// Memory exhaustion before authentication, measured on the real <c>edge-agent run</c> process: hostile offers of the
/// largest size the agent admits (unsigned random bytes; a zip of thousands of empty unlisted entries) are published
/// to it through mosquitto, each several times, and its resident memory is read from /proc before (median over 1 s),
/// while it refuses them (peak from VmHWM, reset first) and afterwards. Target (issue 12): at most
/// <see cref="SecurityLab.MemoryBudgetMb"/> while refusing, back to the steady level afterwards.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal static class OfferMemoryAttack
{
    private const double ReturnSlackMb = 2;
    private const int Repeats = 5;
    private static readonly TimeSpan SettleTime = TimeSpan.FromSeconds(75);

    public static async Task<IReadOnlyList<JsonObject>> RunAsync(SecurityLab lab)
    {
        ArgumentNullException.ThrowIfNull(lab);
        using var attacker = await lab.ConnectAsync("attacker");
        var unsigned = new byte[ModelPackageLayout.MaxPackageBytes];
        new Random(12).NextBytes(unsigned);
        return
        [
            await MeasureAsync(lab, attacker, "M1", $"unsigned offer of the maximum size ({Mib(unsigned.Length)})",
                unsigned),
            await MeasureAsync(lab, attacker, "M2", "offer: a zip of 30 000 empty entries no manifest lists",
                ManyEntries(30_000)),
        ];
    }

    private static async Task<JsonObject> MeasureAsync(
        SecurityLab lab, IMqttClient attacker, string id, string attack, byte[] package)
    {
        var steady = await lab.SteadyRssKbAsync();
        var peak = 0L;
        var afters = new List<long>();
        var refusals = 0;
        var reason = "";
        for (var repeat = 0; repeat < Repeats; repeat++)
        {
            lab.ResetPeak();
            var offerId = Guid.NewGuid();
            var verdict = lab.NextAck(offerId);
            await attacker.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(EdgeTopics.For(lab.DeviceId, TopicKind.ModelOffer))
                .WithPayload(new ModelOffer(offerId, package).Encode())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build());
            var ack = await verdict.WaitAsync(TimeSpan.FromSeconds(60));
            refusals += ack.Accepted ? 0 : 1;
            reason = ack.Reason;
            peak = Math.Max(peak, lab.PeakRssKb());
            await Task.Delay(TimeSpan.FromSeconds(1));
            afters.Add(await lab.SteadyRssKbAsync());
        }

        // The agent releases an offer's pooled receive buffer once the shared array pool may trim it (65 s).
        await Task.Delay(SettleTime);
        var settled = await lab.SteadyRssKbAsync();
        var rise = (peak - steady) / 1024.0;
        var left = (settled - steady) / 1024.0;
        var held = refusals == Repeats && rise <= SecurityLab.MemoryBudgetMb && left <= ReturnSlackMb;
        return new JsonObject
        {
            ["id"] = id,
            ["attack"] = $"{attack}, sent {Repeats} times",
            ["command"] = SecurityLab.Command,
            ["attacker"] = "holds the trainer certificate (the only identity the broker lets publish offers)",
            ["expected"] =
                $"refused; resident memory +≤ {SecurityLab.MemoryBudgetMb:F0} MB while refusing, back within "
                + $"{ReturnSlackMb:F0} MB of steady after",
            ["observed"] = FormattableString.Invariant(
                $"{refusals}/{Repeats} refused (\"{Shorten(reason)}\"); RSS {steady / 1024.0:F1} MB → peak ")
                + FormattableString.Invariant($"{peak / 1024.0:F1} MB (+{rise:F1}) → after each: ")
                + string.Join(", ", afters.Select(a => (a / 1024.0).ToString("F1", CultureInfo.InvariantCulture)))
                + FormattableString.Invariant(
                    $" MB; {SettleTime.TotalSeconds:F0} s later {settled / 1024.0:F1} MB ({left:+0.0;-0.0} MB)"),
            ["held"] = held,
            ["rss_steady_mb"] = Math.Round(steady / 1024.0, 1),
            ["rss_peak_mb"] = Math.Round(peak / 1024.0, 1),
            ["rss_after_each_mb"] = new JsonArray([.. afters.Select(a => (JsonNode)Math.Round(a / 1024.0, 1))]),
            ["rss_settled_mb"] = Math.Round(settled / 1024.0, 1),
        };
    }

    private static byte[] ManyEntries(int count)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < count; i++)
            {
                zip.CreateEntry(i.ToString("x", CultureInfo.InvariantCulture), CompressionLevel.NoCompression);
            }
        }

        return buffer.ToArray();
    }

    private static string Mib(long bytes) => $"{bytes / 1048576.0:F0} MiB";

    private static string Shorten(string text) => text.Length <= 90 ? text : text[..87] + "…";
}
